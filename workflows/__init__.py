"""How a case moves: a small declarative state-machine engine and the workflow definitions.

Pure Python: no Flask, no database. The application row keeps the state; the app builds
a ``CaseFacts`` from it, asks the engine, and carries out the effects the engine returns.
"""
