"""Records changed on the server after loading are held back as conflicts."""

from __future__ import annotations

import requests

from gui.client.signin import SignIn
from gui.core.changeset import CellChange, ChangeSet
from gui.core.conflicts import find_conflicts, without_conflicts
from gui.core.profile import Profile, StoredSecrets
from gui.sandbox import SandboxServer
from gui.services.secrets import SessionSecretStore


def test_a_record_changed_by_someone_else_is_a_conflict_with_all_three_values():
    with SandboxServer(records=120) as server:
        secrets = SessionSecretStore()
        secrets.save("t", StoredSecrets("demo-secret", "demo-refresh-token"))
        profile = Profile("t", "custom", "demo-client", api_base=server.api_url, accounts_base=server.accounts_url)
        with SignIn(secrets).open(profile) as client:
            fields = client.fields("Contacts")
            changes = ChangeSet("Contacts", fields)
            client.load("Contacts", ["Last_Name", "Mailing_City", "Modified_Time"],
                        lambda page: changes.add_records(page.records))
            mine, theirs = changes.order[10], changes.order[11]
            changes.apply([CellChange(mine, "Mailing_City", value="Mine-1"),
                           CellChange(theirs, "Mailing_City", value="Mine-2")])
            # Someone else edits one of the two records in Zoho after we loaded it.
            token = requests.post(server.base_url + "/oauth/v2/token", data={
                "grant_type": "refresh_token", "refresh_token": "demo-refresh-token",
                "client_id": "demo-client", "client_secret": "demo-secret"}, timeout=10).json()["access_token"]
            server.store.clock = lambda: 1_900_000_000.0  # their save happens later than ours loaded
            reply = requests.put(server.base_url + "/crm/v2.1/Contacts", timeout=10,
                                 headers={"Authorization": "Zoho-oauthtoken " + token},
                                 json={"data": [{"id": theirs, "Mailing_City": "Theirs"}]})
            assert reply.json()["data"][0]["code"] == "SUCCESS"
            current = client.fetch("Contacts", [mine, theirs], ["Mailing_City"])
            conflicts = find_conflicts(changes, current)
            assert [c.record_id for c in conflicts] == [theirs]
            field = conflicts[0].fields[0]
            assert (field.yours, field.now) == ("Mine-2", "Theirs") and field.loaded not in ("Mine-2", "Theirs")
            assert [e.record_id for e in without_conflicts(changes.pending(), conflicts)] == [mine]
