//! The aisle operator's library: catalog and event data, imports, training, evaluation,
//! abandon, the collect writer and the A/B report. The `aisle` binary (`main.rs`) is its clap front.
pub mod abandon;
pub mod audit;
pub mod build;
pub mod catalog;
pub mod collect;
pub mod dates;
pub mod evaluate;
pub mod event_log;
pub mod gate;
pub mod generate;
pub mod import;
pub mod inspect;
pub mod random;
pub mod report;
pub mod resolve;
pub mod rollback;
pub mod spill;
pub mod text_input;
pub mod train;
