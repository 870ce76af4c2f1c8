//! The web application served in-process on a free 127.0.0.1 port, on its own runtime, for
//! tests that drive the engine directly (a manual clock, an in-memory store) and speak HTTP to
//! it. Bind first (the address is known before the engine is opened, for its links), serve the
//! state, and the server stops when this is dropped.

use std::time::Duration;

pub struct InProcess {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    runtime: Option<tokio::runtime::Runtime>,
    listener: Option<tokio::net::TcpListener>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl InProcess {
    /// A runtime and a listener on a free port; nothing is served yet.
    pub fn bind() -> InProcess {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        InProcess {
            base,
            runtime: Some(runtime),
            listener: Some(listener),
            stop: None,
        }
    }

    /// Serves `state` on the bound port until dropped.
    pub fn serve(&mut self, state: docket_portal::AppState) {
        let listener = self.listener.take().expect("served once");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        self.stop = Some(stop);
        self.runtime.as_ref().unwrap().spawn(async move {
            docket_portal::run(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}
