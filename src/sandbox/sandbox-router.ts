/**
 * A tiny method + path router for the sandbox's /api/v2 routes. Patterns use `:name` segments;
 * the first matching route wins, so specific paths are listed before parameterised ones.
 */
import type { SandboxState } from './sandbox-state';
import type { SandboxFaults, SandboxPresenceWrite } from './sandbox-types';

/** What a route handler gets. */
export interface RouteContext {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body, or undefined when the request had none. */
  readonly body: unknown;
  readonly state: SandboxState;
  readonly faults: Readonly<SandboxFaults>;
  /** Epoch ms of this request. */
  readonly now: number;
  /** Records something that would change a primary or registered source. */
  violate(reason: string): void;
  /** Records an accepted write of user presence. */
  recordWrite(write: Omit<SandboxPresenceWrite, 'at'>): void;
}

/** What a route handler answers; `body` undefined means no content. */
export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface Route {
  method: string;
  pattern: string;
  handle(context: RouteContext): RouteResult;
}

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

/** A compiled route table. */
export class SandboxRouter {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern
        .split('/')
        .map((segment) => {
          if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(segment.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { route, regex: new RegExp(`^${source}$`), names };
    });
  }

  /** The route and decoded path parameters for a request, or undefined. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const { route, regex, names } of this.compiled) {
      if (route.method !== method) continue;
      const found = regex.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
