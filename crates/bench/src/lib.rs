//! The machinery both benchmarks share (`eulogin-bench` for eulogin's OpenID Connect
//! endpoints, `traces-bench` for traces' API): a minimal keep-alive HTTP/1.1 client, virtual
//! users and their recorders, the closed-loop runner with its measurement window, where the CPU
//! and memory went (`/proc`), the server under test as a child process, the machine's
//! description, and the Markdown sections of docs/benchmarks.md.

pub mod backend_kind;
pub mod client;
pub mod conditions;
pub mod docfile;
pub mod figures;
pub mod machine;
pub mod postgres;
pub mod procstat;
pub mod runner;
pub mod server;
pub mod stats;
pub mod vu;
pub mod workdir;
