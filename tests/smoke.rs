use peeps::graph::{EdgeKind, NodeKind};

#[peeps::instrument]
async fn inner(rx: tokio::sync::oneshot::Receiver<()>) {
    let _ = rx.await;
}

#[peeps::instrument]
async fn outer(rx: tokio::sync::oneshot::Receiver<()>) {
    inner(rx).await
}

#[tokio::test]
async fn nested_needs_edges() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let h = peeps::spawn_named("smoke-task", outer(rx));
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let snap = peeps::snapshot();
    println!("{}", serde_json::to_string_pretty(&snap).unwrap());
    let task = snap.nodes.iter().find(|n| n.name == "smoke-task").unwrap();
    assert_eq!(task.kind, NodeKind::Task);
    let o = snap.nodes.iter().find(|n| n.name == "outer").unwrap();
    let i = snap.nodes.iter().find(|n| n.name == "inner").unwrap();
    assert!(
        snap.edges
            .iter()
            .any(|e| e.from == task.id && e.to == o.id && e.kind == EdgeKind::Needs)
    );
    assert!(
        snap.edges
            .iter()
            .any(|e| e.from == o.id && e.to == i.id && e.kind == EdgeKind::Needs)
    );
    tx.send(()).unwrap();
    h.await.unwrap();
}
