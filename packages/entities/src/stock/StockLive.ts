import { Layer } from "effect"
import { ReservationSweeperLive } from "./ReservationSweeper.js"
import { StockWriter } from "./StockWriter.js"
import { StoreSkuLive } from "./StoreSku.js"
import { StoreSkuRepo } from "./StoreSkuRepo.js"

/**
 * The stock area on a runner: the StoreSku entities, their group-commit writer and
 * repository, and the expiry sweep. Needs the catalogue, the outbox and sharding.
 */
export const StockLive = Layer.mergeAll(StoreSkuLive, ReservationSweeperLive).pipe(
  Layer.provideMerge(StockWriter.Default),
  Layer.provideMerge(StoreSkuRepo.Default)
)
