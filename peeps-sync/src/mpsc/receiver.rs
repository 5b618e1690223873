//! What the bounded and the unbounded receiver share: every method but
//! `capacity` and `max_capacity`, written once (tokio's two receivers have
//! the same API over different channel types).

/// Implements the shared receiver methods and `Debug` for `$Receiver`, a
/// struct with fields `inner` (tokio's receiver), `ep` (`Endpoint<Rx>`)
/// and `poll_wait` (`WaitEdge`).
macro_rules! receiver_impl {
    ($Receiver:ident) => {
        impl<T> $Receiver<T> {
            /// Renames the channel's node (shared by every endpoint).
            pub fn named(self, name: impl Into<::std::borrow::Cow<'static, str>>) -> Self {
                self.ep.rename(name);
                self
            }

            /// Receives the next value, as tokio's `recv`; `None` once every sender
            /// is gone and the buffer is empty. Pending: `waits_on` with `op: recv`,
            /// recording this call's site (`#[track_caller]`: a plain `fn`
            /// returning the future, as an `async fn` cannot take it).
            ///
            /// # Cancel safety
            ///
            /// As tokio's: cancel safe, no message is lost.
            #[track_caller]
            pub fn recv(&mut self) -> impl ::std::future::Future<Output = Option<T>> {
                let at = $crate::core::At::caller();
                async move {
                    let $Receiver { inner, ep, .. } = self;
                    ep.used();
                    let v = $crate::core::Waiting::new(
                        ep.resource(),
                        ::peeps_graph::Op::Recv,
                        at.site(),
                        inner.recv(),
                    )
                    .await;
                    ep.counted(u64::from(v.is_some()), at.site());
                    if let Some(v) = &v {
                        $crate::channel::received(v, ep.resource().id());
                    }
                    v
                }
            }

            /// Receives up to `limit` values into `buffer`, as tokio's `recv_many`.
            /// Pending: `waits_on` with `op: recv`, recording this call's site.
            ///
            /// # Cancel safety
            ///
            /// As tokio's: cancel safe.
            #[track_caller]
            pub fn recv_many(
                &mut self,
                buffer: &mut Vec<T>,
                limit: usize,
            ) -> impl ::std::future::Future<Output = usize> {
                let at = $crate::core::At::caller();
                async move {
                    let $Receiver { inner, ep, .. } = self;
                    ep.used();
                    let n = $crate::core::Waiting::new(
                        ep.resource(),
                        ::peeps_graph::Op::Recv,
                        at.site(),
                        inner.recv_many(buffer, limit),
                    )
                    .await;
                    ep.counted(n as u64, at.site());
                    $crate::channel::received(&buffer[buffer.len() - n..], ep.resource().id());
                    n
                }
            }

            /// Receives a value if one is ready, as tokio's `try_recv`.
            ///
            /// # Errors
            ///
            /// [`TryRecvError`](crate::mpsc::error::TryRecvError): empty, or
            /// disconnected.
            #[track_caller]
            pub fn try_recv(&mut self) -> Result<T, $crate::mpsc::error::TryRecvError> {
                let v = self.inner.try_recv();
                self.ep
                    .counted(u64::from(v.is_ok()), $crate::core::caller());
                if let Ok(v) = &v {
                    $crate::channel::received(v, self.ep.resource().id());
                }
                v
            }

            /// Blockingly receives a value, as tokio's `blocking_recv`; the wait
            /// records this call's site.
            ///
            /// # Panics
            ///
            /// As tokio's: when called within an asynchronous execution context.
            #[track_caller]
            pub fn blocking_recv(&mut self) -> Option<T> {
                let $Receiver { inner, ep, .. } = self;
                ep.used();
                let v = $crate::core::block_on_wait!(
                    ep.resource(),
                    ::peeps_graph::Op::Recv,
                    inner.blocking_recv()
                );
                ep.counted(u64::from(v.is_some()), $crate::core::caller());
                if let Some(v) = &v {
                    $crate::channel::received(v, ep.resource().id());
                }
                v
            }

            /// Blockingly receives up to `limit` values, as tokio's
            /// `blocking_recv_many`; the wait records this call's site.
            ///
            /// # Panics
            ///
            /// As tokio's: when called within an asynchronous execution context.
            #[track_caller]
            pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
                let $Receiver { inner, ep, .. } = self;
                ep.used();
                let n = $crate::core::block_on_wait!(
                    ep.resource(),
                    ::peeps_graph::Op::Recv,
                    inner.blocking_recv_many(buffer, limit)
                );
                ep.counted(n as u64, $crate::core::caller());
                $crate::channel::received(&buffer[buffer.len() - n..], ep.resource().id());
                n
            }

            /// Closes the receiving half without dropping it, as tokio's `close`.
            pub fn close(&mut self) {
                self.inner.close();
                self.ep.closed();
            }

            /// Whether the channel is closed, as tokio's.
            pub fn is_closed(&self) -> bool {
                self.inner.is_closed()
            }

            /// Whether no message is buffered, as tokio's.
            pub fn is_empty(&self) -> bool {
                self.inner.is_empty()
            }

            /// How many messages are buffered, as tokio's.
            pub fn len(&self) -> usize {
                self.inner.len()
            }

            /// Polls for the next value, as tokio's `poll_recv`. A `Pending` poll
            /// records a `waits_on` edge kept in the receiver until a later poll or
            /// receive completes, or the receiver drops; it names the call site of
            /// the poll that began it (`#[track_caller]`).
            #[track_caller]
            pub fn poll_recv(
                &mut self,
                cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<Option<T>> {
                let $Receiver {
                    inner,
                    ep,
                    poll_wait,
                } = self;
                let from = ep.resource().id();
                $crate::mpsc::receiver::poll_counted(
                    ep,
                    poll_wait,
                    cx,
                    |cx| inner.poll_recv(cx),
                    |v| {
                        if let Some(v) = v {
                            $crate::channel::received(v, from);
                        }
                        u64::from(v.is_some())
                    },
                )
            }

            /// Polls for up to `limit` values, as tokio's `poll_recv_many`; edges
            /// as for `poll_recv`, with this call's site.
            #[track_caller]
            pub fn poll_recv_many(
                &mut self,
                cx: &mut ::std::task::Context<'_>,
                buffer: &mut Vec<T>,
                limit: usize,
            ) -> ::std::task::Poll<usize> {
                let $Receiver {
                    inner,
                    ep,
                    poll_wait,
                } = self;
                let before = buffer.len();
                let p = $crate::mpsc::receiver::poll_counted(
                    ep,
                    poll_wait,
                    cx,
                    |cx| inner.poll_recv_many(cx, buffer, limit),
                    |&n| n as u64,
                );
                if p.is_ready() {
                    $crate::channel::received(&buffer[before..], ep.resource().id());
                }
                p
            }

            /// How many strong senders are alive, as tokio's.
            pub fn sender_strong_count(&self) -> usize {
                self.inner.sender_strong_count()
            }

            /// How many weak senders are alive, as tokio's.
            pub fn sender_weak_count(&self) -> usize {
                self.inner.sender_weak_count()
            }
        }

        impl<T> ::std::fmt::Debug for $Receiver<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($Receiver))
                    .field("chan", &self.inner)
                    .finish()
            }
        }
    };
}
pub(super) use receiver_impl;

use crate::channel::{Endpoint, Rx};
use peeps_runtime::__private::wait::WaitEdge;
use std::task::{Context, Poll};

/// A receiver's `poll_*`: used by the current task, recorded as a `recv`
/// wait while pending (the edge kept in `edge`, naming the call of the
/// `#[track_caller]` method calling this), and, when ready, counted as
/// `received(&output)` messages.
#[inline]
#[track_caller]
pub(crate) fn poll_counted<R>(
    ep: &Endpoint<Rx>,
    edge: &mut WaitEdge,
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
    received: impl FnOnce(&R) -> u64,
) -> Poll<R> {
    ep.used();
    let at = crate::core::caller();
    let p = crate::core::poll_recorded(ep.resource(), peeps_graph::Op::Recv, at, edge, cx, poll);
    if let Poll::Ready(out) = &p {
        ep.counted(received(out), at);
    }
    p
}
