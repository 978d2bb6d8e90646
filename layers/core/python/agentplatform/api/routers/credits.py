"""``/api/credits``: balance, history, top-ups, refunds, auto top-up, the Stripe webhook,
(spec §1.3 rows 16-25). The admin routes are in ``credits_admin.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response

from agentplatform.api.deps import UserId
from agentplatform.credits.service import CreditService
from agentplatform.models.credits import (
    AutoTopUpConfig,
    BillingPortalResponse,
    CheckoutResponse,
    CreditsResponse,
    RefundRequest,
    RequestTopUp,
    TransactionHistory,
)

router = APIRouter(prefix="/api/credits", tags=["v1", "credits"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid request"},
    401: {"description": "Missing or invalid token"},
}
STRIPE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    503: {"description": "Stripe is not configured"},
}


def credit_service() -> CreditService:
    return CreditService()


def payment_service() -> Any:
    from agentplatform.credits.payments import PaymentService  # the stripe package: only here

    return PaymentService()


Credits = Annotated[CreditService, Depends(credit_service)]
Payments = Annotated[Any, Depends(payment_service)]


@router.get("", summary="Get user credits", responses=ERRORS)
def get_user_credits(user_id: UserId, credits: Credits) -> CreditsResponse:
    return CreditsResponse(credits=credits.get_credits(user_id))


@router.post("", summary="Request credit top up", responses=STRIPE_ERRORS)
def request_top_up(user_id: UserId, payments: Payments, request: RequestTopUp) -> CheckoutResponse:
    return CheckoutResponse(checkout_url=payments.top_up_intent(user_id, request.credit_amount))


@router.patch("", summary="Fulfill checkout session", responses=STRIPE_ERRORS)
def fulfill_checkout(user_id: UserId, payments: Payments) -> Response:
    from agentplatform.credits.service import credits_enabled

    if credits_enabled():
        payments.fulfill_checkout(user_id=user_id)
    return Response(status_code=200)


@router.post(
    "/{transaction_key}/refund",
    summary="Refund credit transaction",
    responses={**STRIPE_ERRORS, 404: {"description": "No such top-up"}},
)
def refund_top_up(
    user_id: UserId, payments: Payments, transaction_key: str, metadata: Annotated[dict[str, str], Body()]
) -> int:
    return int(payments.top_up_refund(user_id, transaction_key, metadata))


@router.post(
    "/auto-top-up",
    summary="Configure auto top up",
    responses={**STRIPE_ERRORS, 422: {"description": "Invalid threshold or amount"}},
)
def configure_user_auto_top_up(user_id: UserId, credits: Credits, request: AutoTopUpConfig) -> str:
    """Store the settings and, as upstream, top up now if the balance is below the
    threshold (otherwise check the card with a zero top-up)."""
    if request.threshold < 0:
        raise HTTPException(422, detail="Threshold must be greater than 0")
    if request.amount < 500 and request.amount != 0:
        raise HTTPException(422, detail="Amount must be greater than or equal to 500")
    if request.amount < request.threshold:
        raise HTTPException(422, detail="Amount must be greater than or equal to threshold")
    from agentplatform.credits.service import credits_enabled

    if credits_enabled():
        payments = payment_service()
        amount = request.amount if credits.get_credits(user_id) < request.threshold else 0
        try:
            payments.top_up(user_id, amount)
        except ValueError as exc:
            known = ("must not be negative", "already exists for user", "No payment method found")
            if any(message in str(exc) for message in known):
                raise HTTPException(422, detail=str(exc)) from None
            raise
    credits.set_auto_top_up(user_id, request)
    return "Auto top-up settings updated"


@router.get("/auto-top-up", summary="Get auto top up", responses=ERRORS)
def get_user_auto_top_up(user_id: UserId, credits: Credits) -> AutoTopUpConfig:
    return credits.get_auto_top_up(user_id)


@router.post(
    "/stripe_webhook",
    summary="Handle Stripe webhooks",
    responses={
        400: {"description": "Invalid payload or signature"},
        503: {"description": "Webhook not configured"},
    },
)
async def stripe_webhook(request: Request) -> Response:
    """No token: Stripe signs the body (``Stripe-Signature``), and the signature is
    verified with the ``stripe`` package before anything is read."""
    from starlette.concurrency import run_in_threadpool

    payload = await request.body()
    signature = request.headers.get("stripe-signature")
    await run_in_threadpool(payment_service().handle_webhook, payload, signature)
    return Response(status_code=200)


@router.get("/manage", summary="Manage payment methods", responses=STRIPE_ERRORS)
def manage_payment_method(user_id: UserId, payments: Payments) -> BillingPortalResponse:
    return BillingPortalResponse(url=payments.billing_portal_url(user_id))


@router.get("/transactions", summary="Get credit history", responses=ERRORS)
def get_credit_history(
    user_id: UserId,
    credits: Credits,
    transaction_time: datetime | None = None,
    transaction_type: str | None = None,
    transaction_count_limit: int = 100,
) -> TransactionHistory:
    return credits.history(
        user_id, limit=transaction_count_limit, ceiling=transaction_time, transaction_type=transaction_type
    )


@router.get("/refunds", summary="Get refund requests", responses=ERRORS)
def get_refund_requests(user_id: UserId, credits: Credits) -> list[RefundRequest]:
    return credits.refund_requests(user_id)
