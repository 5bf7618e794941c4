import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"
import { Pincode } from "../catalogue/Catalogue.js"
import { CustomerId } from "../orders/Order.js"
import { identifier, safeText } from "../Text.js"
import { PhoneE164 } from "./Phone.js"

/** The language of a customer's texts and notifications. */
export const Language = Schema.Literal("en", "hi")
export type Language = typeof Language.Type

export const AddressId = identifier(64).pipe(Schema.brand("AddressId"))
export type AddressId = typeof AddressId.Type

/** An app install of the customer's, named by the app (one per phone or browser). */
export const DeviceId = identifier(128).pipe(Schema.brand("DeviceId"))
export type DeviceId = typeof DeviceId.Type

export const Platform = Schema.Literal("android", "ios", "web")

const Latitude = Schema.Number.pipe(Schema.finite(), Schema.between(-90, 90, { message: () => "must be a latitude, -90 to 90" }))
const Longitude = Schema.Number.pipe(Schema.finite(), Schema.between(-180, 180, { message: () => "must be a longitude, -180 to 180" }))

/** A delivery address as the app sends it. */
export const NewAddress = Schema.Struct({
  /** "Home", "Work", ... */
  label: safeText(40),
  line1: safeText(200),
  line2: Schema.optional(safeText(200)),
  pincode: Pincode,
  lat: Latitude,
  lng: Longitude
})

/** A saved address; `serviceable` is worked out when read: some store delivers to its pincode now. */
export const Address = Schema.Struct({
  id: AddressId,
  label: Schema.String,
  line1: Schema.String,
  line2: Schema.NullOr(Schema.String),
  pincode: Schema.String,
  lat: Schema.Number,
  lng: Schema.Number,
  serviceable: Schema.Boolean
})
export type Address = typeof Address.Type

/** The signed-in customer. `name` is empty until they set it. */
export const Profile = Schema.Struct({
  id: CustomerId,
  phone: PhoneE164,
  name: Schema.String,
  email: Schema.NullOr(Schema.String),
  language: Language,
  defaultAddressId: Schema.NullOr(AddressId),
  addresses: Schema.Array(Address)
})
export type Profile = typeof Profile.Type

const Email = safeText(254).pipe(
  Schema.pattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: () => "must be an email address (name@domain)" })
)

/** What PATCH /v1/me may change; `defaultAddressId: null` clears the default. */
export const ProfileUpdate = Schema.Struct({
  name: Schema.optional(safeText(100)),
  email: Schema.optional(Schema.NullOr(Email)),
  language: Schema.optional(Language),
  defaultAddressId: Schema.optional(Schema.NullOr(AddressId))
})
export type ProfileUpdate = typeof ProfileUpdate.Type

export const DeviceRegistration = Schema.Struct({
  /** The Firebase Cloud Messaging registration token of this install. */
  fcmToken: safeText(4096),
  platform: Platform
})

/** A registered device; its FCM token is not answered back. */
export const Device = Schema.Struct({
  deviceId: DeviceId,
  platform: Platform,
  updatedAt: Schema.DateTimeUtc
})
export type Device = typeof Device.Type

/** How many delivery addresses one customer may keep. */
export const maxAddresses = 20

/** The customer already keeps `maxAddresses` addresses: one must go before another is saved. */
export class AddressLimitReached extends Schema.TaggedError<AddressLimitReached>()(
  "AddressLimitReached",
  { maxAddresses: Schema.Int, message: Schema.String },
  HttpApiSchema.annotations({ status: 422 })
) {}

/** The address is not one of this customer's. */
export class AddressNotFound extends Schema.TaggedError<AddressNotFound>()(
  "AddressNotFound",
  { addressId: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 404 })
) {}
