"""Integration credentials: encrypted storage, the REST surface's domain logic, and
resolution of the credentials a node needs when it runs."""
