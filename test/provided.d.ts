// What test/global-setup.ts provides to every integration test: `inject('services')`.
import type { ServiceEndpoints } from '../infra/services/index';

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServiceEndpoints;
  }
}
