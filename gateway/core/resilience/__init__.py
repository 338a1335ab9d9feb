"""How the gateway survives a backend that hangs or fails: deadlines, breakers, retries.

`deadline`: how long the current request may still wait for backends, in a contextvar.
`breaker`: a circuit breaker per backend, opened by consecutive failures.
`guard`: one backend call under its system's timeout, breaker and retry rule.
"""
