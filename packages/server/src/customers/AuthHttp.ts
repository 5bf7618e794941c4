import { HttpApiBuilder, HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Api, CurrentCustomer } from "@qc/domain/Api"
import { Effect } from "effect"
import { clientAddress } from "../ClientAddress.js"
import { OtpLimits } from "./OtpLimits.js"
import { SignIn } from "./SignIn.js"

/** A 429 carries `Retry-After`, as the general rate limits answer it. */
const withRetryAfter = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.tapError(effect, (error) =>
    "retryAfterSeconds" in error && typeof error.retryAfterSeconds === "number"
      ? HttpApp.appendPreResponseHandler((_request, response) =>
        Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(error.retryAfterSeconds))))
      : Effect.void)

export const AuthHttpLive = HttpApiBuilder.group(Api, "auth", (handlers) =>
  Effect.gen(function*() {
    const signIn = yield* SignIn
    const limits = yield* OtpLimits
    return handlers
      .handle("otp", ({ payload }) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const address = clientAddress(request, limits.settings.trustedProxies)
          return yield* withRetryAfter(signIn.requestCode(payload.phone, payload.language ?? "en", address))
        }))
      .handle("verify", ({ payload }) => signIn.verify(payload.phone, payload.code))
      .handle("refresh", ({ payload }) => signIn.refresh(payload.refreshToken))
      .handle("logout", ({ payload }) => signIn.logout(payload.refreshToken))
      .handle("logoutAll", () => Effect.flatMap(CurrentCustomer, signIn.logoutAll))
  }))
