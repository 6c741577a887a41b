//! Integration tests of the `aisle` binary, one module per subcommand (one test binary, so
//! the binary is linked once).
mod collect;
mod generator;
mod report;
mod util;
