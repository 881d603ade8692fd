//! GitHub REST API client (work in progress).
