"""The shapes of the public routes' answers, for the OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.intake.cases.answers import CaseLinks


class PublicReportFiled(BaseModel):
    id: str
    tracking_code: str = Field(description="The code the citizen follows the report with")
    status: str
    tenant: str
    late_filing: bool = Field(description="Filed more than 7 days after it became known")
    links: CaseLinks
    created: bool
    receipt: bool = Field(description="The code is also being sent to the reporter's contact")
    files: int = Field(description="Evidence files stored with the report")


class AnswerReceived(BaseModel):
    tracking_code: str
    status: str = Field(description="The status the case is back in")
    files: int = Field(description="Evidence files stored with the answer")
