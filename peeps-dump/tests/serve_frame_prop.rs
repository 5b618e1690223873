//! Property tests of the frame decoder the server reads pushes with
//! (`peeps_graph::wire`): random bytes in random pieces never panic it and
//! never make it hold more than the maximum frame size; well-formed frames
//! come out whole however the stream is cut.

use peeps_graph::wire::{self, Frame, FrameDecoder, FrameError};
use proptest::prelude::*;

/// Feeds `bytes` cut at `cuts`; returns the bodies decoded and the error
/// that stopped decoding, if any. Checks the memory bound after every piece.
fn feed(max: usize, bytes: &[u8], cuts: &[usize]) -> (Vec<Vec<u8>>, Option<FrameError>) {
    let mut decoder = FrameDecoder::new(max);
    let mut bodies = Vec::new();
    let mut at = 0;
    let mut pieces: Vec<&[u8]> = Vec::new();
    for &c in cuts {
        let c = c.min(bytes.len());
        if c > at {
            pieces.push(&bytes[at..c]);
            at = c;
        }
    }
    pieces.push(&bytes[at..]);
    for piece in pieces {
        let mut input = piece;
        while !input.is_empty() {
            match decoder.decode(&mut input) {
                Ok(Some(body)) => {
                    assert!(body.len() <= max);
                    // Parsing any body never panics either.
                    let _ = Frame::from_json(&body);
                    bodies.push(body);
                }
                Ok(None) => assert!(input.is_empty()),
                Err(e) => return (bodies, Some(e)),
            }
            assert!(
                decoder.buffered_capacity() <= max,
                "holds {} bytes, max {max}",
                decoder.buffered_capacity()
            );
        }
    }
    let truncated = decoder.truncated();
    (bodies, truncated)
}

fn sorted(mut cuts: Vec<usize>) -> Vec<usize> {
    cuts.sort_unstable();
    cuts
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_or_overallocate(
        max in 0usize..4096,
        bytes in proptest::collection::vec(any::<u8>(), 0..8192),
        cuts in proptest::collection::vec(0usize..8192, 0..16),
    ) {
        let (_, err) = feed(max, &bytes, &sorted(cuts));
        if let Some(FrameError::TooLarge { len, max: m }) = err {
            prop_assert!(len > m as u64);
        }
    }

    #[test]
    fn a_huge_announced_length_allocates_only_what_arrived(
        len in 1u32..=u32::MAX,
        body in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let max = wire::DEFAULT_MAX_FRAME_BYTES;
        let mut bytes = len.to_be_bytes().to_vec();
        bytes.extend_from_slice(&body);
        let mut decoder = FrameDecoder::new(max);
        let mut input = &bytes[..];
        match decoder.decode(&mut input) {
            Err(FrameError::TooLarge { .. }) => prop_assert!(len as usize > max),
            Ok(Some(got)) => prop_assert_eq!(got.len(), len as usize),
            Ok(None) => {
                // Never more than the arrived bytes, give or take the
                // doubling of a growing buffer.
                prop_assert!(decoder.buffered_capacity() <= 2 * body.len().max(1));
                prop_assert!(decoder.is_mid_frame());
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn frames_survive_any_cutting(
        bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..600), 0..8),
        cuts in proptest::collection::vec(0usize..6000, 0..32),
    ) {
        let mut stream = Vec::new();
        for b in &bodies {
            wire::write_frame(&mut stream, b).unwrap();
        }
        let (got, err) = feed(600, &stream, &sorted(cuts));
        prop_assert!(err.is_none(), "{:?}", err);
        prop_assert_eq!(got, bodies);
    }
}
