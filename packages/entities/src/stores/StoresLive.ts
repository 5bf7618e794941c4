import { Layer } from "effect"
import { StoreLive } from "./Store.js"
import { StoreRepo } from "./StoreRepo.js"
import { Loyalty } from "../customers/Loyalty.js"

/**
 * The stores area on a runner: the Store entities (settings, shifts, pick queue) and their
 * repository. Needs the outbox, sharding and a `RiderDispatch`.
 */
export const StoresLive = Layer.mergeAll(StoreLive, Loyalty.Default).pipe(Layer.provideMerge(StoreRepo.Default))
