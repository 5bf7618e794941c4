import { Layer } from "effect"
import { PricingChainResolverLive } from "./PriceResolver.js"
import { PricingRepo } from "./PricingRepo.js"
import { PricingRuleStore } from "./PricingRuleStore.js"

/**
 * The pricing area: the rule store (admin and feeds), the resolver over the chain, and the
 * rules' repository. Needs the catalogue, the outbox, the price cache, the competitor feed
 * and the vendor secret.
 */
export const PricingLive = PricingRuleStore.Default.pipe(
  Layer.provideMerge(PricingChainResolverLive),
  Layer.provideMerge(PricingRepo.Default)
)
