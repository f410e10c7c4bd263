import * as msal from '@azure/msal-node';
import { Client, RetryHandler } from '@microsoft/microsoft-graph-client';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { Command } from 'commander';
test('probe', () => { expect(typeof msal.PublicClientApplication).toBe('function'); expect(typeof Client.initWithMiddleware).toBe('function'); expect(typeof RetryHandler).toBe('function'); expect(typeof jwt.verify).toBe('function'); expect(typeof z.object).toBe('function'); expect(typeof Command).toBe('function'); });
