// `chat:` — the chat bot (Telegram).
import type { z } from 'zod';
import { obj } from '../schema-kit.js';

export const chatSchema = obj({});

export type ChatConfig = z.output<typeof chatSchema>;
