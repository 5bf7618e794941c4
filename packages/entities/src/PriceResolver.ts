import { SkuNotFound } from "@qc/domain/Errors"
import type { SkuId, StoreId } from "@qc/domain/Ids"
import type { Paise } from "@qc/domain/Money"
import type { PricingContext } from "@qc/domain/Order"
import { Context, Effect, Layer, Option } from "effect"
import { CatalogueRepo } from "./CatalogueRepo.js"

export interface ResolvedPrice {
  readonly price: Paise
  readonly pricingContext: PricingContext
}

/**
 * The price of a SKU at a store at an instant, and why. Checkout calls it at order
 * time (never trusts a cached or client-sent price). The pricing chain replaces the
 * base-price layer without changing this contract.
 */
export class PriceResolver extends Context.Tag("PriceResolver")<PriceResolver, {
  readonly resolve: (storeId: StoreId, skuId: SkuId, at: number) => Effect.Effect<ResolvedPrice, SkuNotFound>
}>() {}

/** The last rule of the chain alone: the catalogue's base price. */
export const BasePriceResolverLive = Layer.effect(
  PriceResolver,
  Effect.map(CatalogueRepo, (catalogue) =>
    PriceResolver.of({
      resolve: (storeId, skuId) =>
        Option.match(catalogue.sku(skuId), {
          onNone: () => Effect.fail(new SkuNotFound({ skuId })),
          onSome: (sku) =>
            Effect.succeed({
              price: sku.basePrice,
              pricingContext: {
                rule: "base_price",
                ruleId: null,
                reason: "catalogue base price; no other rule applies",
                inputs: { storeId, basePrice: sku.basePrice }
              }
            })
        })
    }))
)
