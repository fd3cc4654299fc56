"""File and image entries in update bodies, checked against the sandbox's behaviour."""

from __future__ import annotations

import requests

from gui.core.attachments import removal_entries
from gui.sandbox import SandboxServer


def _token(server: SandboxServer) -> dict[str, str]:
    reply = requests.post(server.base_url + "/oauth/v2/token", data={
        "grant_type": "refresh_token", "refresh_token": "demo-refresh-token",
        "client_id": "demo-client", "client_secret": "demo-secret"}, timeout=10)
    return {"Authorization": "Zoho-oauthtoken " + reply.json()["access_token"]}


def test_removal_entries_delete_exactly_the_chosen_ones_on_the_server():
    with SandboxServer(records=200) as server:
        headers = _token(server)
        leads = server.store.records["Leads"]
        with_photos = next(r for r in leads.values() if len(r.get("Photos") or []) >= 2)
        with_files = next(r for r in leads.values() if len(r.get("Documents") or []) >= 2)
        photo_ids = [p["id"] for p in with_photos["Photos"]]
        file_ids = [f["attachment_Id"] for f in with_files["Documents"]]
        body = {"data": [
            {"id": with_photos["id"], "Photos": removal_entries(with_photos["Photos"], {photo_ids[0]}, image=True)},
            {"id": with_files["id"], "Documents": removal_entries(with_files["Documents"], None, image=False)},
        ]}
        if with_photos["id"] == with_files["id"]:
            body["data"] = body["data"][:1]
        reply = requests.put(server.base_url + "/crm/v2.1/Leads", json=body, headers=headers, timeout=10)
        assert reply.status_code == 200, reply.text
        assert [p["id"] for p in server.store.get_record("Leads", with_photos["id"])["Photos"]] == photo_ids[1:]
        if with_photos["id"] != with_files["id"]:
            assert server.store.get_record("Leads", with_files["id"])["Documents"] == []
        assert file_ids  # the demo org has files to delete
