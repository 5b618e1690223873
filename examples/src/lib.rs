//! Scenario programs for peeps: known deadlocks and healthy controls.
