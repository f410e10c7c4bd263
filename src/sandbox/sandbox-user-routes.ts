/**
 * User lookup (docs/vendors.md#genesys-users): `POST /api/v2/users/search`, `GET /api/v2/users` and
 * `GET /api/v2/users/{userId}`. The bridge matches external users to Genesys users by email.
 */
import * as z from 'zod';
import { badRequest, notFound } from './sandbox-errors';
import type { Route } from './sandbox-router';
import type { SandboxUser } from './sandbox-state';
import { pageCountOf, parseBody, queryInteger, queryList } from './sandbox-validation';

/**
 * Search: "page size ≤ 100", "at most 50 entries in values", "at most 10,000 paginated results"
 * (https://developer.genesys.cloud/organization/search/search-limits).
 */
export const SEARCH_MAX_PAGE_SIZE = 100;
export const SEARCH_MAX_VALUES = 50;
export const SEARCH_MAX_RESULTS = 10_000;
/** The maximum pageSize of `GET /api/v2/users` is not documented; the sandbox allows 500. */
export const LIST_MAX_PAGE_SIZE = 500;

const SEARCH_TYPES = ['EXACT', 'TERMS', 'TERM', 'CONTAINS', 'STARTS_WITH'] as const;
const SEARCH_FIELDS = ['email', 'name', 'id', 'state', 'username'] as const;
type SearchField = (typeof SEARCH_FIELDS)[number];

const criterionSchema = z.object({
  type: z.enum(SEARCH_TYPES, { message: `type must be one of ${SEARCH_TYPES.join(', ')} in the sandbox` }),
  fields: z.array(z.enum(SEARCH_FIELDS, { message: `fields may be ${SEARCH_FIELDS.join(', ')} in the sandbox` })).min(1),
  value: z.string().max(300, 'value is limited to 300 characters').optional(),
  values: z.array(z.string().max(300)).max(SEARCH_MAX_VALUES, `values is limited to ${SEARCH_MAX_VALUES} entries`).optional(),
  operator: z.enum(['AND', 'OR', 'NOT']).optional(),
});
type Criterion = z.infer<typeof criterionSchema>;

const searchSchema = z.object({
  pageSize: z.number().int().min(1).max(SEARCH_MAX_PAGE_SIZE, `pageSize is limited to ${SEARCH_MAX_PAGE_SIZE}`).optional(),
  pageNumber: z.number().int().min(1).optional(),
  query: z.array(criterionSchema).optional(),
  expand: z.array(z.string()).optional(),
  sortBy: z.string().optional(),
  sortOrder: z.string().optional(),
});

/** The User model (the fields the bridge reads). */
function toUserModel(user: SandboxUser): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    username: user.email,
    state: user.state,
    version: 1,
    selfUri: `/api/v2/users/${user.id}`,
  };
}

function fieldValue(user: SandboxUser, field: SearchField): string {
  return field === 'username' ? user.email : user[field];
}

/**
 * Comparisons are case-insensitive: Genesys' Architect "Find User" matches email that way; for
 * search it is not documented (docs/vendors.md#genesys-open-questions-and-how-the-code-hedges), and
 * the bridge promises case-insensitive matching.
 */
function matchesCriterion(user: SandboxUser, criterion: Criterion): boolean {
  const wanted = [...(criterion.value !== undefined ? [criterion.value] : []), ...(criterion.values ?? [])].map((v) => v.toLowerCase());
  const hit = criterion.fields.some((field) => {
    const actual = fieldValue(user, field).toLowerCase();
    return wanted.some((value) => {
      switch (criterion.type) {
        case 'CONTAINS':
          return actual.includes(value);
        case 'STARTS_WITH':
          return actual.startsWith(value);
        default:
          return actual === value;
      }
    });
  });
  return criterion.operator === 'NOT' ? !hit : hit;
}

/** Criteria combine with AND unless a criterion says OR (then any OR criterion may match). */
function matchesQuery(user: SandboxUser, query: readonly Criterion[]): boolean {
  const required = query.filter((c) => c.operator !== 'OR');
  const optional = query.filter((c) => c.operator === 'OR');
  return required.every((c) => matchesCriterion(user, c)) && (optional.length === 0 || optional.some((c) => matchesCriterion(user, c)));
}

/** Routes of user lookup. */
export const userRoutes: readonly Route[] = [
  {
    method: 'POST',
    pattern: '/api/v2/users/search',
    handle(context) {
      const request = parseBody(searchSchema, context.body ?? {});
      const query = request.query ?? [];
      for (const criterion of query) {
        if (criterion.value === undefined && (criterion.values ?? []).length === 0) {
          throw badRequest(`A ${criterion.type} criterion needs value or values.`);
        }
      }
      const pageSize = request.pageSize ?? 25;
      const pageNumber = request.pageNumber ?? 1;
      if (pageSize * pageNumber > SEARCH_MAX_RESULTS) throw badRequest(`Search results are limited to ${SEARCH_MAX_RESULTS}.`);
      const matches = context.state.listUsers().filter((user) => matchesQuery(user, query));
      const start = (pageNumber - 1) * pageSize;
      return {
        status: 200,
        body: {
          total: matches.length,
          pageCount: pageCountOf(matches.length, pageSize),
          pageSize,
          pageNumber,
          types: ['users'],
          results: matches.slice(start, start + pageSize).map(toUserModel),
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/users',
    handle(context) {
      const pageSize = queryInteger(context.query, 'pageSize', 25, 1, LIST_MAX_PAGE_SIZE);
      const pageNumber = queryInteger(context.query, 'pageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
      const state = context.query.get('state') ?? 'active';
      if (!['active', 'inactive', 'deleted', 'any'].includes(state)) {
        throw badRequest(`Query parameter state must be active, inactive, deleted or any; got ${state}.`);
      }
      const ids = queryList(context.query, 'id');
      const matches = context.state
        .listUsers()
        .filter((user) => state === 'any' || user.state === state)
        .filter((user) => ids.length === 0 || ids.includes(user.id));
      const pageCount = pageCountOf(matches.length, pageSize);
      const start = (pageNumber - 1) * pageSize;
      const uri = (page: number): string => `/api/v2/users?pageSize=${pageSize}&pageNumber=${page}&state=${state}`;
      return {
        status: 200,
        body: {
          entities: matches.slice(start, start + pageSize).map(toUserModel),
          pageSize,
          pageNumber,
          total: matches.length,
          pageCount,
          firstUri: uri(1),
          selfUri: uri(pageNumber),
          lastUri: uri(Math.max(1, pageCount)),
          ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
          ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/users/:userId',
    handle(context) {
      const user = context.state.getUser(context.params.userId ?? '');
      if (!user) throw notFound(`User ${context.params.userId} not found.`);
      return { status: 200, body: toUserModel(user) };
    },
  },
];
