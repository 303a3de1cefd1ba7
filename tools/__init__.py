"""Developer tooling for ims-tui (test servers, benchmarks); not part of the installed package."""
