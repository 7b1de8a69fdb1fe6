"""CarePay: the Python harness that deploys, drives and verifies the CarePay contracts."""
