"""Airtable bases and records through the Airtable Web API (https://airtable.com/developers/web/api).

Requests carry the user's personal access token or OAuth token as a Bearer token.
Created records are normalised as upstream does: the table's schema is fetched
(``GET /v0/meta/bases/{base}/tables``) and every field missing from a record is filled
with its type's empty value, so downstream blocks see every column.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockCost,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceError, mock_credentials, request_json
from agentplatform.models.credentials import APIKeyCredentials, OAuth2Credentials

API = "https://api.airtable.com/v0"
MAX_RECORDS_PER_REQUEST = 10
TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials("airtable", "Mock Airtable API key")

AirtableCredentials = APIKeyCredentials | OAuth2Credentials

DEFAULT_TABLES = [
    {
        "description": "Default table",
        "name": "Default table",
        "fields": [
            {
                "name": "ID",
                "type": "number",
                "description": "Auto-incrementing ID field",
                "options": {"precision": 0},
            }
        ],
    }
]

# The empty value of each field type (anything else is null), as upstream normalises.
_EMPTY_BY_TYPE: dict[str, Any] = {
    "checkbox": False,
    **{kind: [] for kind in ("multipleSelects", "multipleRecordLinks", "multipleAttachments")},
    **{kind: [] for kind in ("multipleLookupValues", "multipleCollaborators")},
    **{kind: 0 for kind in ("number", "percent", "currency", "rating", "duration", "count", "autoNumber")},
    **{kind: "" for kind in ("singleLineText", "multilineText", "email", "url", "phoneNumber")},
    **{kind: "" for kind in ("richText", "barcode")},
}


def _credentials_field() -> Any:
    return CredentialsField(
        provider="airtable", supported_types=["api_key", "oauth2"], description="Airtable API credentials"
    )


def _secret(credentials: AirtableCredentials) -> str:
    if isinstance(credentials, OAuth2Credentials):
        return credentials.access_token.get_secret_value()
    return credentials.api_key.get_secret_value()


async def airtable(
    credentials: AirtableCredentials, method: str, path: str, body: Any = None
) -> dict[str, Any]:
    return await request_json(
        "Airtable",
        method,
        f"{API}/{path}",
        secrets=[_secret(credentials)],
        headers={"Authorization": credentials.auth_header()},
        json=body,
    )


async def base_tables(credentials: AirtableCredentials, base_id: str) -> list[dict[str, Any]]:
    reply = await airtable(credentials, "GET", f"meta/bases/{quote(base_id, safe='')}/tables")
    return list(reply.get("tables") or [])


def normalize_records(records: list[dict[str, Any]], table: dict[str, Any]) -> list[dict[str, Any]]:
    """Each record with every field of ``table``, missing ones set to their empty value."""
    fields = table.get("fields") or []
    normalized = []
    for record in records:
        values = record.get("fields") or {}
        filled = {
            field["name"]: values[field["name"]]
            if field["name"] in values
            else _EMPTY_BY_TYPE.get(field["type"])
            for field in fields
        }
        normalized.append(
            {"id": record.get("id"), "createdTime": record.get("createdTime"), "fields": filled}
        )
    return normalized


class AirtableCreateRecordsBlock(Block):
    """Creates one or more records in an Airtable table."""

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = _credentials_field()
        base_id: str = SchemaField(description="The Airtable base ID")
        table_id_or_name: str = SchemaField(description="Table ID or name")
        records: list[dict] = SchemaField(
            description="Array of records to create (each with 'fields' object)"
        )
        skip_normalization: bool = SchemaField(
            description=(
                "Skip output normalization to get raw Airtable response (faster but may have missing fields)"
            ),
            default=False,
        )
        typecast: bool = SchemaField(
            description="Automatically convert string values to appropriate types", default=False
        )
        return_fields_by_field_id: bool | None = SchemaField(
            description="Return fields by field ID", default=None
        )

    class Output(BlockSchemaOutput):
        records: list[dict] = SchemaField(description="Array of created record objects")
        details: dict = SchemaField(description="Details of the created records")

    def __init__(self) -> None:
        super().__init__(
            id="42527e98-47b6-44ce-ac0e-86b4883721d3",
            description="Create records in an Airtable table",
            categories={BlockCategory.DATA},
            input_schema=AirtableCreateRecordsBlock.Input,
            output_schema=AirtableCreateRecordsBlock.Output,
            # Upstream ships no vector for this block; this one mocks the two API calls.
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "base_id": "appTest",
                "table_id_or_name": "Tasks",
                "records": [{"Name": "Write report"}],
            },
            test_output=[
                (
                    "records",
                    [
                        {
                            "id": "rec1",
                            "createdTime": "2025-01-01T00:00:00.000Z",
                            "fields": {"Name": "Write report", "Done": False},
                        }
                    ],
                )
            ],
            test_mock={
                "create_records": lambda *args, **kwargs: {
                    "records": [
                        {
                            "id": "rec1",
                            "createdTime": "2025-01-01T00:00:00.000Z",
                            "fields": {"Name": "Write report"},
                        }
                    ]
                },
                "table_schema": lambda *args, **kwargs: {
                    "fields": [
                        {"name": "Name", "type": "singleLineText"},
                        {"name": "Done", "type": "checkbox"},
                    ]
                },
            },
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=1)],
        )

    async def create_records(self, credentials: AirtableCredentials, input_data: Input) -> dict[str, Any]:
        if not input_data.records:
            raise ServiceError("At least one record must be provided")
        if len(input_data.records) > MAX_RECORDS_PER_REQUEST:
            raise ServiceError(f"Only up to {MAX_RECORDS_PER_REQUEST} records can be created at a time")
        body: dict[str, Any] = {"records": [{"fields": record} for record in input_data.records]}
        if input_data.typecast:
            body["typecast"] = True
        if input_data.return_fields_by_field_id:
            body["returnFieldsByFieldId"] = True
        path = f"{quote(input_data.base_id, safe='')}/{quote(input_data.table_id_or_name, safe='')}"
        return await airtable(credentials, "POST", path, body)

    async def table_schema(
        self, credentials: AirtableCredentials, base_id: str, table: str
    ) -> dict[str, Any]:
        for candidate in await base_tables(credentials, base_id):
            if table in (candidate.get("id"), candidate.get("name")):
                return candidate
        raise ServiceError(f"Table '{table}' not found in base '{base_id}'")

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: AirtableCredentials, **kwargs: Any
    ) -> BlockOutput:
        data = await self.create_records(credentials, input_data)
        records = list(data.get("records") or [])
        if records and not input_data.skip_normalization:
            table = await self.table_schema(credentials, input_data.base_id, input_data.table_id_or_name)
            records = normalize_records(records, table)
        yield "records", records
        if data.get("details"):
            yield "details", data["details"]


class AirtableCreateBaseBlock(Block):
    """Creates a base in an Airtable workspace, or finds the existing one of the same name."""

    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = _credentials_field()
        workspace_id: str = SchemaField(description="The workspace ID where the base will be created")
        name: str = SchemaField(description="The name of the new base")
        find_existing: bool = SchemaField(
            description="If true, return existing base with same name instead of creating duplicate",
            default=True,
        )
        tables: list[dict] = SchemaField(
            description=(
                "At least one table and field must be specified. Array of table objects to create in "
                "the base. Each table should have 'name' and 'fields' properties"
            ),
            default_factory=lambda: [dict(table) for table in DEFAULT_TABLES],
        )

    class Output(BlockSchemaOutput):
        base_id: str = SchemaField(description="The ID of the created or found base")
        tables: list[dict] = SchemaField(description="Array of table objects")
        table: dict = SchemaField(description="A single table object")
        was_created: bool = SchemaField(
            description="True if a new base was created, False if existing was found", default=True
        )

    def __init__(self) -> None:
        super().__init__(
            id="f59b88a8-54ce-4676-a508-fd614b4e8dce",
            description="Create or find a base in Airtable",
            categories={BlockCategory.DATA},
            input_schema=AirtableCreateBaseBlock.Input,
            output_schema=AirtableCreateBaseBlock.Output,
            # Upstream ships no vector for this block; this one mocks the API calls.
            test_input={
                "credentials": TEST_CREDENTIALS_INPUT,
                "workspace_id": "wspTest",
                "name": "Support inbox",
            },
            test_output=[
                ("base_id", "appNew"),
                ("was_created", True),
                ("tables", [{"id": "tbl1", "name": "Default table"}]),
                ("table", {"id": "tbl1", "name": "Default table"}),
            ],
            test_mock={
                "list_bases": lambda *args, **kwargs: [{"id": "appOther", "name": "Other"}],
                "create_base": lambda *args, **kwargs: {
                    "id": "appNew",
                    "tables": [{"id": "tbl1", "name": "Default table"}],
                },
            },
            test_credentials=TEST_CREDENTIALS,
            costs=[BlockCost(cost_amount=1)],
        )

    async def list_bases(self, credentials: AirtableCredentials) -> list[dict[str, Any]]:
        """Every base the token can see (Airtable pages them 1000 at a time)."""
        bases: list[dict[str, Any]] = []
        offset = None
        while True:
            page = await airtable(
                credentials, "GET", "meta/bases" + (f"?offset={quote(offset)}" if offset else "")
            )
            bases.extend(page.get("bases") or [])
            offset = page.get("offset")
            if not offset:
                return bases

    async def create_base(
        self, credentials: AirtableCredentials, workspace_id: str, name: str, tables: list[dict[str, Any]]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "workspaceId": workspace_id}
        if tables:
            body["tables"] = tables
        return await airtable(credentials, "POST", "meta/bases", body)

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: AirtableCredentials, **kwargs: Any
    ) -> BlockOutput:
        if input_data.find_existing:
            for base in await self.list_bases(credentials):
                if base.get("name") == input_data.name:
                    yield "base_id", base["id"]
                    yield "was_created", False
                    try:
                        tables = await base_tables(credentials, base["id"])
                    except ServiceError:
                        tables = []  # as upstream: the base is still found
                    yield "tables", tables
                    for table in tables:
                        yield "table", table
                    return
        created = await self.create_base(
            credentials, input_data.workspace_id, input_data.name, input_data.tables
        )
        tables = list(created.get("tables") or [])
        yield "base_id", created.get("id")
        yield "was_created", True
        yield "tables", tables
        for table in tables:
            yield "table", table
