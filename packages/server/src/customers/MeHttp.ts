import { HttpApiBuilder } from "@effect/platform"
import { Api, CurrentCustomer } from "@qc/domain/Api"
import type { Address, ProfileUpdate } from "@qc/domain/customers/Customer"
import { AddressNotFound } from "@qc/domain/customers/Customer"
import { CatalogueRepo } from "@qc/entities/catalogue/CatalogueRepo"
import type { AddressRow } from "@qc/entities/customers/CustomerRepo"
import { CustomerRepo } from "@qc/entities/customers/CustomerRepo"
import { DeviceRepo } from "@qc/entities/customers/DeviceRepo"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Option } from "effect"

const notYours = (addressId: string) => new AddressNotFound({ addressId, message: `address ${addressId} is not one of yours` })

export const MeHttpLive = HttpApiBuilder.group(Api, "me", (handlers) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const customers = yield* CustomerRepo
    const devices = yield* DeviceRepo
    const catalogue = yield* CatalogueRepo

    // Worked out when read: a store opened for the pincode later makes a saved address serviceable.
    const withService = (row: AddressRow): Address => ({ ...row, serviceable: catalogue.storesForPincode(row.pincode).length > 0 })

    const profile = (customerId: string) =>
      Effect.gen(function*() {
        const row = yield* customers.find(customerId)
        // The middleware found the customer a moment ago; only a deleted row gets here.
        if (Option.isNone(row)) return yield* Effect.dieMessage("signed-in customer has no row")
        const c = row.value
        return {
          id: c.id,
          phone: c.phone,
          name: c.name,
          email: c.email,
          language: c.language,
          defaultAddressId: c.default_address_id,
          addresses: (yield* customers.addresses(customerId)).map(withService)
        }
      })

    const update = (customerId: string, patch: ProfileUpdate) =>
      sql.withTransaction(Effect.gen(function*() {
        const wanted = patch.defaultAddressId
        if (wanted !== undefined && wanted !== null && !(yield* customers.lockAddress(customerId, wanted))) {
          return yield* Effect.fail(notYours(wanted))
        }
        yield* customers.update(customerId, patch)
      })).pipe(
        Effect.catchTag("SqlError", Effect.die),
        Effect.zipRight(profile(customerId))
      )

    return handlers
      .handle("profile", () => Effect.flatMap(CurrentCustomer, profile))
      .handle("update", ({ payload }) => Effect.flatMap(CurrentCustomer, (id) => update(id, payload)))
      .handle("addresses", () =>
        Effect.flatMap(CurrentCustomer, (id) => Effect.map(customers.addresses(id), (rows) => rows.map(withService))))
      .handle("addAddress", ({ payload }) =>
        Effect.gen(function*() {
          const id = yield* CurrentCustomer
          return withService(yield* customers.addAddress(id, payload, yield* Clock.currentTimeMillis))
        }))
      .handle("removeAddress", ({ path }) => Effect.flatMap(CurrentCustomer, (id) => customers.removeAddress(id, path.addressId)))
      .handle("devices", () => Effect.flatMap(CurrentCustomer, devices.list))
      .handle("registerDevice", ({ path, payload }) =>
        Effect.gen(function*() {
          const id = yield* CurrentCustomer
          const now = yield* Clock.currentTimeMillis
          yield* devices.register(id, path.deviceId, payload.fcmToken, payload.platform, now)
          const registered = (yield* devices.list(id)).find((d) => d.deviceId === path.deviceId)
          if (registered === undefined) return yield* Effect.dieMessage("device missing right after its upsert")
          return registered
        }))
      .handle("removeDevice", ({ path }) => Effect.flatMap(CurrentCustomer, (id) => devices.remove(id, path.deviceId)))
  }))
