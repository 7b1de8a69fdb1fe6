"""The driver: deploy the suite, run scenario files against it, keep a journal so runs resume."""
