"""A unique constraint lost to a concurrent request answers 409, never 500."""

from unittest import mock

from sqlalchemy.exc import IntegrityError

from app.services import users as user_service


def test_unique_violation_at_flush_answers_409(api, district):
    # Simulate the race: the service check passed, then the database refused the row.
    real_build = user_service.build_user

    def racing_build(data):
        real_build(data)
        raise IntegrityError(
            "INSERT INTO users", {}, Exception("duplicate key value violates unique constraint")
        )

    with mock.patch.object(user_service, "build_user", racing_build):
        response = api.post(
            "/users",
            user=district.admin,
            json={"username": "racer", "password": "Strong-Pass-77", "role": "leader"},
        )
    assert response.status_code == 409
    assert response.get_json()["code"] == 409
    assert api.get("/users?role=leader", user=district.admin).status_code == 200
