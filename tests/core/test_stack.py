import socket

import pytest

from ancile import stack


def test_run_refuses_a_port_in_use_with_a_clear_message(monkeypatch):
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("PORT", str(port))
        with pytest.raises(SystemExit) as exit_info:
            stack.command_run()
    assert f"port {port} is already in use" in str(exit_info.value)
    assert "PORT=8001 make run" in str(exit_info.value)


def test_external_servers_are_used_as_given(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/ancile")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/0")
    with stack.servers(tmp_path) as srv:
        assert srv.database_url == "postgresql://db.example/ancile"
        assert srv.redis_url == "redis://cache.example:6379/0"
    assert list(tmp_path.iterdir()) == []  # nothing embedded was started
