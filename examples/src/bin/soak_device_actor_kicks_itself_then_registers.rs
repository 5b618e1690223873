//! Healthy, idle after start-up: device actors that kick themselves off.
//! Each `device-N` actor (`peeps::spawn_named`) makes its `device-cmds`
//! inbox (unbounded), queues a `Cmd::Connect` on its own sender so that
//! connecting is handled by the same loop as every later command, files a
//! `DeviceHandle` holding the sender in `devices` (an
//! `RwLock<HashMap<name, DeviceHandle>>`) and runs its loop. `Connect`
//! "dials" the device (a 20 ms sleep). Clients (a `poller`,
//! `peeps::spawn_named`) look a handle up under a read and send
//! `Cmd::Read` with a `device-reading` oneshot reply, every 10 minutes
//! (the first round before the last two devices start). Every task is a
//! peeps task: no plain task, no thread. Between rounds each device waits
//! on its inbox, whose sender is in `devices`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Cmd {
    Connect,
    Read { reply: oneshot::Sender<u64> },
}

#[derive(Clone)]
struct DeviceHandle {
    cmds: mpsc::UnboundedSender<Cmd>,
}

type Devices = Arc<RwLock<HashMap<String, DeviceHandle>>>;

async fn device(name: String, devices: Devices, connected: Arc<AtomicU64>) {
    let (cmds, mut inbox) = mpsc::unbounded_channel_named("device-cmds");
    cmds.send(Cmd::Connect).expect("we hold the receiver");
    devices
        .write()
        .await
        .insert(name.clone(), DeviceHandle { cmds });
    let mut online = false;
    let mut reading = name.len() as u64;
    while let Some(cmd) = inbox.recv().await {
        match cmd {
            Cmd::Connect => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                online = true;
                connected.fetch_add(1, Ordering::Relaxed);
            }
            Cmd::Read { reply } => {
                reading += 1;
                let _ = reply.send(if online { reading } else { 0 });
            }
        }
    }
}

async fn poller(devices: Devices, polled: Arc<AtomicU64>) {
    loop {
        let handles: Vec<DeviceHandle> = devices.read().await.values().cloned().collect();
        for h in handles {
            let (reply, reading) = oneshot::channel_named("device-reading");
            if h.cmds.send(Cmd::Read { reply }).is_ok() {
                std::hint::black_box(reading.await.unwrap_or(0));
                polled.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_device_actor_kicks_itself_then_registers");
    let devices: Devices = Arc::new(RwLock::new(HashMap::new()).named("devices"));
    let connected = Arc::new(AtomicU64::new(0));
    let polled = Arc::new(AtomicU64::new(0));
    for n in 0..3 {
        peeps::spawn_named(
            format!("device-{n}"),
            device(format!("thermo-{n}"), devices.clone(), connected.clone()),
        );
    }
    while connected.load(Ordering::Relaxed) < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    peeps::spawn_named("poller", poller(devices.clone(), polled.clone()));
    while polled.load(Ordering::Relaxed) < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for n in 3..5 {
        peeps::spawn_named(
            format!("device-{n}"),
            device(format!("thermo-{n}"), devices.clone(), connected.clone()),
        );
    }
    ready_when(move |_| connected.load(Ordering::Relaxed) == 5);
    park().await
}
