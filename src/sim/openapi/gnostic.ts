// OpenAPI v2 as protobuf: the subset of gnostic's `openapi.v2.Document` message that a Swagger
// document of definitions needs, so kubectl's `GET /openapi/v2` (Accept
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf) decodes it. Field numbers follow
// gnostic's OpenAPIv2.proto; fields we never send are left out (protobuf skips what it lacks).
import protobuf from 'protobufjs';
import { stringify } from 'yaml';

const PROTO = `
syntax = "proto3";
package openapi.v2;

message Document {
  string swagger = 1;
  Info info = 2;
  Paths paths = 8;
  Definitions definitions = 9;
}
message Info {
  string title = 1;
  string version = 2;
}
message Paths {
  repeated NamedAny vendor_extension = 1;
}
message Definitions { repeated NamedSchema additional_properties = 1; }
message NamedSchema {
  string name = 1;
  Schema value = 2;
}
message Properties { repeated NamedSchema additional_properties = 1; }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message AdditionalPropertiesItem {
  oneof oneof {
    Schema schema = 1;
    bool boolean = 2;
  }
}
message Any { string yaml = 2; }
message NamedAny {
  string name = 1;
  Any value = 2;
}
message Schema {
  string _ref = 1;
  string format = 2;
  string title = 3;
  string description = 4;
  repeated string required = 19;
  AdditionalPropertiesItem additional_properties = 21;
  TypeItem type = 22;
  ItemsItem items = 23;
  Properties properties = 25;
  repeated NamedAny vendor_extension = 31;
}
`;

/** A Swagger 2.0 schema object as JSON (the subset the simulator writes). */
export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  required?: string[];
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: SwaggerSchema;
  [extension: `x-${string}`]: unknown;
}

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, unknown>;
  definitions: Record<string, SwaggerSchema>;
}

interface ProtoSchema {
  _ref?: string;
  format?: string;
  description?: string;
  required?: string[];
  type?: { value: string[] };
  items?: { schema: ProtoSchema[] };
  properties?: { additional_properties: Array<{ name: string; value: ProtoSchema }> };
  additional_properties?: { schema: ProtoSchema };
  vendor_extension?: Array<{ name: string; value: { yaml: string } }>;
}

function toProto(s: SwaggerSchema): ProtoSchema {
  const out: ProtoSchema = {};
  if (s.$ref) out._ref = s.$ref;
  if (s.format) out.format = s.format;
  if (s.description) out.description = s.description;
  if (s.required?.length) out.required = s.required;
  if (s.type) out.type = { value: [s.type] };
  if (s.items) out.items = { schema: [toProto(s.items)] };
  if (s.properties) {
    out.properties = {
      additional_properties: Object.entries(s.properties).map(([name, value]) => ({
        name,
        value: toProto(value),
      })),
    };
  }
  if (s.additionalProperties) out.additional_properties = { schema: toProto(s.additionalProperties) };
  const extensions = Object.entries(s).filter(([k]) => k.startsWith('x-'));
  if (extensions.length) {
    // gnostic keeps extension values as YAML text; kubectl parses that text.
    out.vendor_extension = extensions.map(([name, value]) => ({ name, value: { yaml: stringify(value) } }));
  }
  return out;
}

/** Encodes a Swagger document as gnostic's OpenAPIv2 `Document` protobuf. */
export function encodeOpenApiV2(doc: SwaggerDocument): Uint8Array {
  const root = protobuf.parse(PROTO, { keepCase: true }).root;
  const Document = root.lookupType('openapi.v2.Document');
  const message = {
    swagger: doc.swagger,
    info: doc.info,
    paths: {},
    definitions: {
      additional_properties: Object.entries(doc.definitions).map(([name, value]) => ({
        name,
        value: toProto(value),
      })),
    },
  };
  const problem = Document.verify(message);
  if (problem) throw new Error(`OpenAPI v2 document does not fit the protobuf schema: ${problem}`);
  return Document.encode(Document.fromObject(message)).finish();
}

/** Decodes what {@link encodeOpenApiV2} wrote (for tests). */
export function decodeOpenApiV2(bytes: Uint8Array): Record<string, unknown> {
  const root = protobuf.parse(PROTO, { keepCase: true }).root;
  const Document = root.lookupType('openapi.v2.Document');
  return Document.toObject(Document.decode(bytes), { defaults: false });
}
