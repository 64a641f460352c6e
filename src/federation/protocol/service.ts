// The gRPC service built from the generated message types. @bufbuild/protobuf generates
// messages only, so the service definition that @grpc/grpc-js needs is written here; the
// serializers also record each message's size on the wire for the byte counters.

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { encodeChunkMessage, isPlainChunk } from "./chunk-encoding.js";
import {
  type CoordinatorMessage,
  CoordinatorMessageSchema,
  type SiteMessage,
  SiteMessageSchema,
  type WeightChunk,
} from "./generated/segviz/federation/v1/federation_pb.js";
import { MAX_CHUNK_BYTES } from "./payload.js";

const wireSizes = new WeakMap<object, number>();

/** Serialized size of a message that passed through the service's (de)serializers. */
export function wireSize(message: CoordinatorMessage | SiteMessage): number {
  const known = wireSizes.get(message);
  if (known !== undefined) return known;
  return message.$typeName === "segviz.federation.v1.SiteMessage"
    ? toBinary(SiteMessageSchema, message).length
    : toBinary(CoordinatorMessageSchema, message).length;
}

/**
 * Encoded bytes of messages sent to several peers (the same weight chunk to every site): the
 * one message object is encoded once. grpc-js copies the bytes into its own frame, so sharing
 * them between streams is safe.
 */
const encodedOnce = new WeakMap<object, Buffer>();

/** Marks a message as one that will be written to several streams (its encoding is kept). */
export function shareEncoding<T extends object>(message: T): T {
  encodedOnce.set(message, EMPTY);
  return message;
}
const EMPTY = Buffer.alloc(0);

function hasUnknownFields(message: { $unknown?: unknown[] }): boolean {
  return message.$unknown !== undefined && message.$unknown.length > 0;
}

function serializer<T extends SiteMessage | CoordinatorMessage>(encode: (m: T) => Uint8Array) {
  return (message: T): Buffer => {
    const cached = encodedOnce.get(message);
    if (cached !== undefined && cached !== EMPTY) return cached;
    const body = message.body;
    const plain = body.case === "chunk" && isPlainChunk(body.value) && !hasUnknownFields(message);
    const bytes = plain ? encodeChunkMessage(body.value as WeightChunk) : encode(message);
    wireSizes.set(message, bytes.length);
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (cached === EMPTY) encodedOnce.set(message, buffer);
    return buffer;
  };
}

function deserializer<T extends object>(decode: (b: Uint8Array) => T) {
  return (buffer: Buffer): T => {
    const message = decode(buffer);
    wireSizes.set(message, buffer.length);
    return message;
  };
}

export const federationService = {
  join: {
    path: "/segviz.federation.v1.FederationService/Join",
    requestStream: true,
    responseStream: true,
    requestSerialize: serializer((m: SiteMessage) => toBinary(SiteMessageSchema, m)),
    requestDeserialize: deserializer((b) => fromBinary(SiteMessageSchema, b)),
    responseSerialize: serializer((m: CoordinatorMessage) => toBinary(CoordinatorMessageSchema, m)),
    responseDeserialize: deserializer((b) => fromBinary(CoordinatorMessageSchema, b)),
  },
} satisfies grpc.ServiceDefinition;

export interface FederationClient extends grpc.Client {
  join(options?: grpc.CallOptions): grpc.ClientDuplexStream<SiteMessage, CoordinatorMessage>;
}

export const FederationClientConstructor = grpc.makeGenericClientConstructor(
  federationService,
  "FederationService",
) as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => FederationClient;

export type JoinServerStream = grpc.ServerDuplexStream<SiteMessage, CoordinatorMessage>;
export type JoinClientStream = grpc.ClientDuplexStream<SiteMessage, CoordinatorMessage>;

export function siteMessage(body: SiteMessage["body"]): SiteMessage {
  return create(SiteMessageSchema, { body });
}

export function coordinatorMessage(body: CoordinatorMessage["body"]): CoordinatorMessage {
  return create(CoordinatorMessageSchema, { body });
}

/**
 * Keepalive notices a peer that vanished without closing its socket (a killed process closes
 * it, and is noticed at once). The timeout is long because a site's event loop is blocked for
 * whole training steps (seconds each), and a slow answer to a ping must not drop it.
 */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 60_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.http2.min_ping_interval_without_data_ms": 20_000,
  "grpc.max_receive_message_length": 16 * 1024 * 1024,
  "grpc.max_send_message_length": 16 * 1024 * 1024,
  // HTTP/2's default 64 KiB window makes a 19 MB payload wait for ~300 window updates; a larger
  // receive window lets the coordinator stream weights to the sites at the socket's pace.
  "grpc-node.flow_control_window": 16 * 1024 * 1024,
};

/**
 * The coordinator's server: no message it receives may be larger than a chunk and its envelope,
 * so a client that never authenticates cannot make it buffer more than that per stream.
 */
export const SERVER_OPTIONS: grpc.ServerOptions = {
  ...CHANNEL_OPTIONS,
  "grpc.max_receive_message_length": MAX_CHUNK_BYTES + 64 * 1024,
};
