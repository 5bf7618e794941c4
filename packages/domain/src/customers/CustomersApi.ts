import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { CustomerAuth } from "../Auth.js"
import { Unauthorized } from "../Errors.js"
import { Address, AddressId, AddressLimitReached, AddressNotFound, Device, DeviceId, DeviceRegistration, NewAddress, Profile, ProfileUpdate } from "./Customer.js"
import { OtpRequest, OtpSent, RefreshRequest, SignedIn, Tokens, VerifyRequest } from "./SignIn.js"

/** Sign-in by phone: a one-time code by SMS, then access and refresh tokens. */
export class AuthGroup extends HttpApiGroup.make("auth")
  .add(HttpApiEndpoint.post("otp", "/v1/auth/otp").setPayload(OtpRequest).addSuccess(OtpSent, { status: 202 }))
  .add(HttpApiEndpoint.post("verify", "/v1/auth/verify").setPayload(VerifyRequest).addSuccess(SignedIn).addError(Unauthorized))
  .add(HttpApiEndpoint.post("refresh", "/v1/auth/refresh").setPayload(RefreshRequest).addSuccess(Tokens).addError(Unauthorized))
  .add(HttpApiEndpoint.post("logout", "/v1/auth/logout").setPayload(RefreshRequest))
  .add(HttpApiEndpoint.post("logoutAll", "/v1/auth/logout-all").middleware(CustomerAuth))
  .annotate(OpenApi.Title, "Sign-in")
  .annotate(
    OpenApi.Description,
    "OTP by SMS, verify (creates the customer on first sign-in), refresh-token rotation, sign out of one device or everywhere"
  )
{}

const AddressPath = Schema.Struct({ addressId: AddressId })
const DevicePath = Schema.Struct({ deviceId: DeviceId })

/** The signed-in customer's profile, addresses and devices. */
export class MeGroup extends HttpApiGroup.make("me")
  .add(HttpApiEndpoint.get("profile", "/v1/me").addSuccess(Profile))
  .add(HttpApiEndpoint.patch("update", "/v1/me").setPayload(ProfileUpdate).addSuccess(Profile).addError(AddressNotFound))
  .add(HttpApiEndpoint.get("addresses", "/v1/me/addresses").addSuccess(Schema.Array(Address)))
  .add(HttpApiEndpoint.post("addAddress", "/v1/me/addresses").setPayload(NewAddress).addSuccess(Address, { status: 201 }).addError(AddressLimitReached))
  .add(HttpApiEndpoint.del("removeAddress", "/v1/me/addresses/:addressId").setPath(AddressPath))
  .add(HttpApiEndpoint.get("devices", "/v1/me/devices").addSuccess(Schema.Array(Device)))
  .add(HttpApiEndpoint.put("registerDevice", "/v1/me/devices/:deviceId").setPath(DevicePath).setPayload(DeviceRegistration).addSuccess(Device))
  .add(HttpApiEndpoint.del("removeDevice", "/v1/me/devices/:deviceId").setPath(DevicePath))
  .middleware(CustomerAuth)
  .annotate(OpenApi.Title, "Me")
  .annotate(OpenApi.Description, "Profile, delivery addresses (flagged serviceable or not), push devices (Bearer token)")
{}
