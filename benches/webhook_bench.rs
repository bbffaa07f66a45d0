//! Webhook figures (scripts/bench-webhooks.sh): a local receiver and a
//! driver in one program, against a running clinic-cms that may send to
//! loopback over plain HTTP.
//!
//! 1. Latency: one write at a time, each awaited at the receiver; from the
//!    write's start (and from its answer: the commit is before it) to the
//!    receiver's `200`.
//! 2. Throughput: a backlog of deliveries built while the receivers answer
//!    `503`, then drained once they answer `200`: deliveries per second to
//!    one endpoint and to ten.
//!
//! Usage: `webhook_bench measure BASE_URL` (ADMIN_EMAIL and ADMIN_PASSWORD
//! set); `webhook_bench receive` only answers `200` on
//! `/hook/{n}`, printing its port, for the PATCH rows the script drives
//! with wrk.

use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};

#[derive(Default)]
struct Receiver {
    /// The status it answers with.
    status: AtomicU16,
    /// When each delivery answered `200` arrived.
    arrivals: Mutex<Vec<Instant>>,
    count: AtomicUsize,
}

async fn hook(state: web::Data<Receiver>) -> HttpResponse {
    let status = state.status.load(Ordering::SeqCst);
    if status == 200 {
        state.arrivals.lock().unwrap().push(Instant::now());
        state.count.fetch_add(1, Ordering::SeqCst);
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

struct Driver {
    http: reqwest::Client,
    base: String,
    token: String,
    receiver: Arc<Receiver>,
    hook_url: String,
}

impl Driver {
    async fn patch(&self, n: usize) -> bool {
        let sent = self
            .http
            .patch(format!("{}/api/v1/admin/articles/1", self.base))
            .bearer_auth(&self.token)
            .header("If-Match", "*")
            .json(&json!({"excerpt": format!("webhook bench {n}")}))
            .send()
            .await;
        let Ok(res) = sent else { return false };
        let ok = res.status().is_success();
        // Read to the end, so the connection is used again.
        res.bytes().await.is_ok() && ok
    }

    async fn add_endpoint(&self, n: usize) -> i64 {
        let res: Value = self
            .http
            .post(format!("{}/api/v1/admin/webhooks", self.base))
            .bearer_auth(&self.token)
            .json(&json!({"url": format!("{}/{n}", self.hook_url), "events": ["article.*"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        res["data"]["id"].as_i64().expect("endpoint created")
    }

    /// Waits until `n` deliveries have arrived in all.
    async fn await_count(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(600);
        while self.receiver.count.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "deliveries stopped arriving");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    fn reset(&self) {
        self.receiver.arrivals.lock().unwrap().clear();
        self.receiver.count.store(0, Ordering::SeqCst);
    }

    /// Builds a backlog of `writes` events for every enabled endpoint while
    /// the receivers answer 503, then drains it: deliveries per second
    /// from the first arrival to the last.
    async fn drain_rate(&self, writes: usize, endpoints: usize) -> (usize, f64) {
        self.receiver.status.store(503, Ordering::SeqCst);
        for n in 0..writes {
            assert!(self.patch(n).await, "write {n} failed");
        }
        self.reset();
        self.receiver.status.store(200, Ordering::SeqCst);
        let expected = writes * endpoints;
        self.await_count(expected).await;
        let arrivals = self.receiver.arrivals.lock().unwrap().clone();
        let span = arrivals[arrivals.len() - 1] - arrivals[0];
        (expected, (expected - 1) as f64 / span.as_secs_f64())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["measure", base] => Some(base.to_string()),
        ["receive"] => None,
        _ => panic!("usage: webhook_bench measure BASE_URL | webhook_bench receive"),
    };
    let receiver = Arc::new(Receiver::default());
    receiver.status.store(200, Ordering::SeqCst);
    let data = web::Data::from(receiver.clone());
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/hook/{n}", web::post().to(hook))
        })
        .workers(1)
        .bind("127.0.0.1:0")?;
        let port = server.addrs()[0].port();
        let Some(base) = base else {
            println!("{port}");
            return server.run().await;
        };
        actix_web::rt::spawn(server.run());
        run(base, receiver, port).await;
        Ok(())
    })
}

async fn run(base: String, receiver: Arc<Receiver>, port: u16) {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({
            "email": std::env::var("ADMIN_EMAIL").expect("ADMIN_EMAIL"),
            "password": std::env::var("ADMIN_PASSWORD").expect("ADMIN_PASSWORD"),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["access_token"]
        .as_str()
        .expect("logged in")
        .to_string();
    let driver = Arc::new(Driver {
        http,
        base,
        token,
        receiver,
        hook_url: format!("http://127.0.0.1:{port}/hook"),
    });
    driver.add_endpoint(0).await;

    // 1. Latency, one write at a time.
    for n in 0..50 {
        driver.patch(n).await;
    }
    driver.await_count(50).await;
    driver.reset();
    let (mut from_start, mut from_answer) = (Vec::new(), Vec::new());
    for n in 0..500 {
        let start = Instant::now();
        assert!(driver.patch(n).await);
        let answered = Instant::now();
        driver.await_count(n + 1).await;
        let arrived = driver.receiver.arrivals.lock().unwrap()[n];
        from_start.push(arrived - start);
        from_answer.push(arrived.saturating_duration_since(answered));
    }
    from_start.sort();
    from_answer.sort();
    println!("| latency (500 writes, one at a time) | p50 ms | p99 ms |");
    println!("| --- | --- | --- |");
    println!(
        "| write start → receiver | {:.2} | {:.2} |",
        percentile(&from_start, 0.5),
        percentile(&from_start, 0.99)
    );
    println!(
        "| write answered (committed) → receiver | {:.2} | {:.2} |",
        percentile(&from_answer, 0.5),
        percentile(&from_answer, 0.99)
    );

    // 2. Draining a backlog, to one endpoint and to ten.
    println!();
    println!("| backlog drained | deliveries | deliveries/s |");
    println!("| --- | --- | --- |");
    let (n, rate) = driver.drain_rate(2000, 1).await;
    println!("| 1 endpoint | {n} | {rate:.0} |");
    for n in 1..10 {
        driver.add_endpoint(n).await;
    }
    let (n, rate) = driver.drain_rate(500, 10).await;
    println!("| 10 endpoints | {n} | {rate:.0} |");
}
