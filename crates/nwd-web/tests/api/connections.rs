//! Issue 15: half-sent requests are closed (header-read and body timeouts), open connections
//! are capped, and the server keeps answering while many half-open connections exist. Bounded
//! counts on loopback only; the database does not matter here, so SQLite alone.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::TestApp;

async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let limits = nwd_web::server::ServerLimits {
        header_read_timeout: Duration::from_secs(1),
        request_body_timeout: Duration::from_secs(1),
        max_connections: 32,
        drain_timeout: Duration::from_secs(1),
    };
    let state = nwd_web::AppState::new(app.store.clone());
    tokio::spawn(nwd_web::server::serve_until(
        listener,
        nwd_web::app(state),
        limits,
        std::future::pending(),
    ));
    address
}

/// Reads until the server closes the connection; panics if it is still open after `within`.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => panic!("the server left a half-sent request open"),
            Ok(Ok(0)) | Ok(Err(_)) => return seen,
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

async fn answers(address: std::net::SocketAddr) -> bool {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    matches!(
        client.get(format!("http://{address}/urgent-help")).send().await,
        Ok(response) if response.status() == StatusCode::OK
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_closed_and_the_server_keeps_answering() {
    let app = TestApp::spawn_sqlite(false).await;
    let address = serve(&app).await;

    // Headers never finished: closed after the header-read timeout.
    let mut half = TcpStream::connect(address).await.unwrap();
    half.write_all(b"GET /urgent-help HTTP/1.1\r\nHost: test\r\n")
        .await
        .unwrap();
    closed_by_server(&mut half, Duration::from_secs(10)).await;

    // A body never finished: answered (an error) and closed after the body timeout.
    let mut body = TcpStream::connect(address).await.unwrap();
    body.write_all(b"POST /api/self-referrals HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"who\":")
        .await
        .unwrap();
    let answer = closed_by_server(&mut body, Duration::from_secs(10)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");

    // An idle kept-alive connection is closed too.
    let mut idle = TcpStream::connect(address).await.unwrap();
    idle.write_all(b"GET /urgent-help HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let answer = closed_by_server(&mut idle, Duration::from_secs(10)).await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));

    // Twenty half-open connections (under the cap of 32): the server answers at once.
    let mut open = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        open.push(stream);
    }
    assert!(
        answers(address).await,
        "no answer beside 20 half-open connections"
    );

    // Two hundred (far over the cap): the excess is closed on arrival, the held ones time
    // out, and the server answers again within a few seconds.
    for _ in 0..200 {
        if let Ok(mut stream) = TcpStream::connect(address).await {
            let _ = stream.write_all(b"GET / HTTP/1.1\r\n").await;
            open.push(stream);
        }
    }
    let mut answered = false;
    for _ in 0..50 {
        if answers(address).await {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        answered,
        "the server stopped answering behind half-open connections"
    );
    // And every half-open connection was closed by the server.
    for stream in open.iter_mut() {
        closed_by_server(stream, Duration::from_secs(10)).await;
    }
    app.finish().await;
}
