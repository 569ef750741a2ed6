// `/openapi/v2` as gnostic protobuf (what kubectl's client-side validation and apply download)
// or JSON; `/openapi/v3` is 404 so kubectl falls back to v2. Built once per server, on first use.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildOpenApiDocument } from '../openapi/document.js';
import { encodeOpenApiV2, type SwaggerDocument } from '../openapi/gnostic.js';
import { ApiStatusError } from '../status-error.js';

/** What the API server answers with (the `@v1.0` spelling clients ask for is not a valid MIME token). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export class OpenApiEndpoint {
  readonly #version: string;
  #document: Promise<SwaggerDocument> | undefined;
  #protobuf: Uint8Array | undefined;

  constructor(gitVersion: string) {
    this.#version = gitVersion;
  }

  /** The Swagger document (client-node's models are loaded lazily: most servers never need them). */
  document(): Promise<SwaggerDocument> {
    this.#document ??= import('@kubernetes/client-node').then((models) =>
      buildOpenApiDocument(models as unknown as Parameters<typeof buildOpenApiDocument>[0], this.#version),
    );
    return this.#document;
  }

  async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path !== '/openapi/v2')
      throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource', {});
    const doc = await this.document();
    const accept = req.headers.accept ?? '';
    if (accept.includes('com.github.proto-openapi.spec.v2')) {
      this.#protobuf ??= encodeOpenApiV2(doc);
      res.writeHead(200, {
        'Content-Type': OPENAPI_V2_PROTOBUF,
        'Content-Length': this.#protobuf.byteLength,
      });
      res.end(this.#protobuf);
      return;
    }
    const body = JSON.stringify(doc);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}
