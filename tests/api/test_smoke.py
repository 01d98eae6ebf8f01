def test_healthz_answers_without_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_answers_when_database_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["database"] == "up"


def test_token_and_me(api, district):
    response = api.client.post(
        "/api/v1/auth/token",
        json={"username": district.a.worker.username, "password": "Correct-Horse-9"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["user"]["username"] == district.a.worker.username
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == district.a.worker.id
    assert "password" not in me.get_json() and "password_hash" not in me.get_json()


def test_a_bearer_call_loads_token_and_user_in_one_query(api, district, app):
    from sqlalchemy import event

    from app.extensions import db
    from app.services.auth import user_for_token
    from tests.factories import make_api_token

    plain, worker_id = make_api_token(user=district.a.worker), district.a.worker.id
    db.session.expunge_all()  # nothing cached: count what a fresh request would run
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        user = user_for_token(plain)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert user.id == worker_id
    assert len(statements) == 1, statements
