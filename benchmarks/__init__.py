"""Gas and throughput benchmarks of the CarePay suite: `make bench` (python -m benchmarks) writes
results.md and results.json here. Plain web3.py/JSON-RPC on a private anvil with a fixed clock."""
