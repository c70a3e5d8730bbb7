"""Shared test services for the monorepo: real MariaDB/MySQL, a real S3 endpoint, upstream 0.14.

Loaded as a pytest plugin by the root conftest.py; benchmarks reuse `dj_testing.upstream`.
"""
