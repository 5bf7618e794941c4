import { Layer } from "effect"
import { CustomerRepo } from "./CustomerRepo.js"
import { DeviceRepo } from "./DeviceRepo.js"
import { SignInRepo } from "./SignInRepo.js"
import { TokenVersions } from "./TokenVersions.js"

/** Customers' repositories and the access-token versions every runner checks tokens against. */
export const CustomersLive = Layer.mergeAll(SignInRepo.Default, DeviceRepo.Default, TokenVersions.Default, CustomerRepo.Default)
