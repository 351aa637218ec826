"""Security: who may call Cascade (authentication), what they may do (scopes), which orders they
see (party isolation), what they did (audit), and how much (rate limits). See docs/security.md.
"""
