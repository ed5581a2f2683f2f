"""A first application: acceptance, review, on-site inspection, decision, delivery."""

from workflows.definitions.common import ACCEPT, DECISION, INSPECTION, INTAKE, REVIEW, build

NEW = build("new", (*INTAKE, ACCEPT, *REVIEW, *INSPECTION, *DECISION))
