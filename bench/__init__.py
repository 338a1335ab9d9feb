"""The benchmark harness: real stand-ins, the real gateway, a real load generator.

`python -m bench` (or `make bench`) seeds a bench co-op once, starts Redis, the CIS
and OMS stand-ins with production-like latency and the gateway in several
configurations, drives fixed workloads cold and warm, measures the floor those
workloads cannot beat, and writes `docs/benchmarks.md` with the raw figures beside it.
"""
