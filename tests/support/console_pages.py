"""A case as dispatch answers it, for rendering the console's pages without the services."""

CASE = {"case_id": "C00000001", "report_id": "R00000001", "state": "dispatched", "unit": "chengguan",
        "unit_kind": "township", "category": "housing", "severity": "general", "deadline": None,
        "received_at": "2026-11-02T09:00:00+08:00", "channel": "hotline", "routing_reason": "",
        "linked_reports": [], "team": {"lead_leader": None, "responsible_person": None, "members": [], "plan": None},
        "extension": {"requested_days": None, "reason": None, "days": None, "approved_by": None},
        "instructions": [], "handling_reports": []}
