// The container registry the simulated nodes pull from: every image exists unless a scenario
// (or a test) marks it missing, each has a stable digest and size, and pulls take a time that
// grows with the size — what the kubelet's Pulling/Pulled/ErrImagePull behaviour needs.
import { fnv32a, mix32 } from '../../random.js';

export interface ImageInfo {
  /** Fully qualified reference: `docker.io/library/nginx:1.25`. */
  readonly reference: string;
  /** `docker.io/library/nginx@sha256:…`, as containerStatuses[].imageID shows it. */
  readonly imageId: string;
  readonly sizeBytes: number;
}

/** `nginx` → `docker.io/library/nginx:latest`, as containerd names images. */
export function normalizeImage(image: string): string {
  let ref = image.trim();
  const lastSlash = ref.lastIndexOf('/');
  const hasTag = ref.slice(lastSlash + 1).includes(':') || ref.includes('@');
  if (!hasTag) ref += ':latest';
  const first = ref.split('/')[0] ?? '';
  const hasRegistry =
    ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
  return ref;
}

function sha(seed: number): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += mix32(seed, i).toString(16).padStart(8, '0');
  return out;
}

/** Roughly what well-known images weigh compressed, so pulls take believable times. */
const KNOWN_SIZES: ReadonlyArray<readonly [RegExp, number]> = [
  [/\/busybox$/, 2_200_000],
  [/\/alpine$/, 3_600_000],
  [/\/nginx$/, 72_000_000],
  [/\/httpd$/, 58_000_000],
  [/\/redis$/, 45_000_000],
  [/\/postgres$/, 158_000_000],
  [/\/pause$/, 320_000],
];

function knownSize(repository: string): number | undefined {
  return KNOWN_SIZES.find(([re]) => re.test(repository))?.[1];
}

export class ImageRegistry {
  readonly #missing = new Set<string>();
  readonly #denied = new Set<string>();

  /** Makes pulls of `image` fail with "not found" (a typo'd tag, a deleted image). */
  markMissing(image: string): void {
    this.#missing.add(normalizeImage(image));
  }

  /** Makes pulls fail with an authorization error (a private image without pull secret). */
  markDenied(image: string): void {
    this.#denied.add(normalizeImage(image));
  }

  restore(image: string): void {
    this.#missing.delete(normalizeImage(image));
    this.#denied.delete(normalizeImage(image));
  }

  info(image: string): ImageInfo {
    const reference = normalizeImage(image);
    const h = fnv32a(reference);
    const at = reference.indexOf('@');
    const colon = reference.lastIndexOf(':');
    const repository =
      at >= 0
        ? reference.slice(0, at)
        : colon > reference.lastIndexOf('/')
          ? reference.slice(0, colon)
          : reference;
    return {
      reference,
      imageId: `${repository}@sha256:${sha(h)}`,
      sizeBytes: knownSize(repository) ?? 20_000_000 + (h % 280_000_000),
    };
  }

  /** Why a pull of `image` fails, in containerd's words; undefined when it succeeds. */
  pullError(image: string): string | undefined {
    const ref = normalizeImage(image);
    if (this.#missing.has(ref)) {
      return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
    }
    if (this.#denied.has(ref)) {
      return `rpc error: code = Unknown desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
    }
    return undefined;
  }

  /** How long a pull takes (ms, unscaled): about 40 MB/s plus registry latency. */
  pullMs(image: string): number {
    const { sizeBytes } = this.info(image);
    return 400 + Math.round(sizeBytes / 40_000);
  }
}
