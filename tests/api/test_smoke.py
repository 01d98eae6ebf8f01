def test_healthz_answers_without_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_answers_when_database_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["database"] == "up"


def test_token_and_me(api, district):
    response = api.client.post("/api/v1/auth/token", json={"username": district.a.worker.username,
                                                           "password": "Correct-Horse-9"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["user"]["username"] == district.a.worker.username
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == district.a.worker.id
    assert "password" not in me.get_json() and "password_hash" not in me.get_json()
