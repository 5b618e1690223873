//! Healthy, under steady load: chat rooms and members, each a struct with
//! its own locks made in its `new()`, many instances of each. Plain
//! `tokio::spawn`, no peeps annotation, no names.
//!
//! - `Member { state: Mutex<MemberState>, outbox: Mutex<VecDeque<_>> }`,
//!   `Room { members: Mutex<Vec<Arc<Member>>> }`, three rooms, six
//!   members.
//! - joining or leaving: the member's `state`, then the room's `members`.
//! - posting: the room's `members`, then each member's `outbox` in turn
//!   (one at a time).
//! - a member's connection drains its own `outbox` alone, 5-25 ms per
//!   message (a slow socket), holding it across the write.
//!
//! One order for every class, `state` -> `members` -> `outbox`, whatever
//! the instance.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct MemberState {
    rooms: Vec<usize>,
}

struct Member {
    id: u64,
    state: Mutex<MemberState>,
    outbox: Mutex<VecDeque<String>>,
}

impl Member {
    fn new(id: u64) -> Arc<Member> {
        Arc::new(Member {
            id,
            state: Mutex::new(MemberState::default()),
            outbox: Mutex::new(VecDeque::new()),
        })
    }
}

struct Room {
    members: Mutex<Vec<Arc<Member>>>,
}

impl Room {
    fn new() -> Room {
        Room {
            members: Mutex::new(Vec::new()),
        }
    }

    async fn post(&self, text: String) {
        let members = self.members.lock().await;
        for m in members.iter() {
            let mut outbox = m.outbox.lock().await;
            if outbox.len() < 64 {
                outbox.push_back(text.clone());
            }
        }
    }
}

async fn join(rooms: &[Room], me: &Arc<Member>, room: usize) {
    let mut state = me.state.lock().await;
    if state.rooms.contains(&room) {
        return;
    }
    rooms[room].members.lock().await.push(me.clone());
    state.rooms.push(room);
}

async fn leave(rooms: &[Room], me: &Arc<Member>, room: usize) {
    let mut state = me.state.lock().await;
    rooms[room].members.lock().await.retain(|m| m.id != me.id);
    state.rooms.retain(|r| *r != room);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_chat_rooms_members_outbox_plain");
    let rooms: Arc<Vec<Room>> = Arc::new((0..3).map(|_| Room::new()).collect());
    let posted = Arc::new(AtomicU64::new(0));
    for id in 0..6u64 {
        let me = Member::new(id);
        {
            let me = me.clone();
            tokio::spawn(async move {
                for n in 0u64.. {
                    let next = me.outbox.lock().await.pop_front();
                    match next {
                        Some(text) => {
                            let _sending = me.outbox.lock().await;
                            tokio::time::sleep(Duration::from_millis(5 + (n * 7 + me.id) % 20))
                                .await;
                            std::hint::black_box(text);
                        }
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            });
        }
        let rooms = rooms.clone();
        let posted = posted.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let room = ((n + id) % 3) as usize;
                join(&rooms, &me, room).await;
                rooms[room].post(format!("{id}: hello {n}")).await;
                posted.fetch_add(1, Ordering::Relaxed);
                if n.is_multiple_of(3) {
                    leave(&rooms, &me, room).await;
                }
                tokio::time::sleep(Duration::from_millis(8)).await;
            }
        });
    }
    let ready = posted.clone();
    ready_when(move |_| ready.load(Ordering::Relaxed) >= 60);
    park().await
}
