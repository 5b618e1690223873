//! From resolved samples to what a snapshot says: one representative stack
//! and the dominant frames.

use std::collections::{HashMap, HashSet};

/// How many dominant frames a thread lists, innermost first.
pub(crate) const DOMINANT_MAX: usize = 8;

/// What the samples of one thread say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// A representative stack, innermost first: the newest sample whose
    /// innermost frame is the most common one.
    pub(crate) stack: Vec<String>,
    /// Frames of that stack present in at least half the samples, innermost
    /// first, each with the number of samples it is in. Empty with fewer
    /// than two samples (one sample has no majority to speak of).
    pub(crate) dominant: Vec<(String, usize)>,
    /// How many samples there were.
    pub(crate) samples: usize,
}

/// The function of a frame: `name (file:line)` without its location, so
/// samples at different lines of one function count as one.
fn function(frame: &str) -> &str {
    frame.rsplit_once(" (").map_or(frame, |(f, _)| f)
}

/// Summarises `stacks` (newest first, each innermost frame first). A thread
/// spinning in one function, or blocked in one syscall, has that function
/// as the innermost dominant frame. Frames are counted by function, so a
/// loop sampled at different lines is still one frame.
pub(crate) fn summarize(stacks: &[Vec<String>]) -> Summary {
    let n = stacks.len();
    let mut in_samples: HashMap<&str, usize> = HashMap::new();
    let mut leaves: HashMap<&str, usize> = HashMap::new();
    for stack in stacks {
        let unique: HashSet<&str> = stack.iter().map(|f| function(f)).collect();
        for f in unique {
            *in_samples.entry(f).or_default() += 1;
        }
        if let Some(leaf) = stack.first() {
            *leaves.entry(function(leaf)).or_default() += 1;
        }
    }
    // The newest stack with the most common leaf (max_by_key keeps the
    // last maximum, so iterate oldest first).
    let reference = stacks
        .iter()
        .rev()
        .max_by_key(|s| s.first().map_or(0, |leaf| leaves[function(leaf)]))
        .cloned()
        .unwrap_or_default();
    let mut dominant = Vec::new();
    if n >= 2 {
        let mut seen = HashSet::new();
        for f in &reference {
            let count = in_samples.get(function(f)).copied().unwrap_or(0);
            if count * 2 >= n && seen.insert(function(f)) {
                dominant.push((f.clone(), count));
                if dominant.len() == DOMINANT_MAX {
                    break;
                }
            }
        }
    }
    Summary {
        stack: reference,
        dominant,
        samples: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(frames: &[&str]) -> Vec<String> {
        frames.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn a_tight_loop_dominates() {
        let stacks = vec![
            stack(&["spin", "poll", "main"]),
            stack(&["helper", "spin", "poll", "main"]),
            stack(&["spin", "poll", "main"]),
            stack(&["spin", "poll", "main"]),
        ];
        let s = summarize(&stacks);
        assert_eq!(s.samples, 4);
        assert_eq!(s.stack, stack(&["spin", "poll", "main"]));
        assert_eq!(
            s.dominant,
            [
                ("spin".to_owned(), 4),
                ("poll".to_owned(), 4),
                ("main".to_owned(), 4)
            ]
        );
    }

    #[test]
    fn the_newest_stack_with_the_common_leaf_is_shown() {
        let stacks = vec![
            stack(&["other", "main"]),
            stack(&["read", "wait_for_input", "main"]),
            stack(&["read", "wait_for_input", "poll", "main"]),
        ];
        let s = summarize(&stacks);
        assert_eq!(s.stack, stack(&["read", "wait_for_input", "main"]));
        assert_eq!(s.dominant[0], ("read".to_owned(), 2));
        assert_eq!(s.dominant.len(), 3);
    }

    #[test]
    fn one_sample_has_a_stack_but_no_dominant_frames() {
        let s = summarize(&[stack(&["a", "b"])]);
        assert_eq!(s.stack, stack(&["a", "b"]));
        assert!(s.dominant.is_empty());
        let s = summarize(&[]);
        assert!(s.stack.is_empty() && s.dominant.is_empty() && s.samples == 0);
    }

    #[test]
    fn frames_are_counted_by_function_not_by_line() {
        let stacks = vec![
            stack(&[
                "black_box (hint.rs:1)",
                "spin (app.rs:5)",
                "main (app.rs:9)",
            ]),
            stack(&["spin (app.rs:4)", "main (app.rs:9)"]),
            stack(&["load (atomic.rs:3)", "spin (app.rs:3)", "main (app.rs:9)"]),
        ];
        let s = summarize(&stacks);
        assert_eq!(
            s.dominant,
            [
                ("spin (app.rs:5)".to_owned(), 3),
                ("main (app.rs:9)".to_owned(), 3)
            ]
        );
    }

    #[test]
    fn recursion_is_counted_once_per_sample() {
        let s = summarize(&[stack(&["f", "f", "f", "main"]), stack(&["f", "f", "main"])]);
        assert_eq!(s.dominant, [("f".to_owned(), 2), ("main".to_owned(), 2)]);
    }
}
