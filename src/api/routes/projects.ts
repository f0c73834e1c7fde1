/** Project, video template and variable listings. */
import { z } from 'zod';
import type { Template } from '../../template/load.ts';
import type { Services } from '../../service/context.ts';
import type { Project } from '../../service/projects.ts';
import { authenticate, requireOwn } from '../auth.ts';
import { baseUrlOf, pagePlayerLink } from '../links.ts';
import {
  errorResponses,
  keyQuery,
  keySecurity,
  projectSchema,
  variableListSchema,
  videoSchema,
} from '../schemas.ts';
import type { ZodApp } from '../types.ts';

const tags = ['Projects'];
const security = keySecurity;

export function registerProjectRoutes(app: ZodApp, services: Services): void {
  const { projects } = services;

  app.get(
    '/v1/project/:projectId',
    {
      schema: {
        summary: 'Get a project',
        tags,
        security,
        params: z.object({ projectId: z.string() }),
        querystring: keyQuery,
        response: { 200: projectSchema, ...errorResponses },
      },
    },
    async (request) => {
      const project = await authenticate(request, projects);
      requireOwn('Project', request.params.projectId, project.id);
      const template = await projects.template(project);
      const base = baseUrlOf(request, services.config.server.baseUrl);
      return {
        Id: project.id,
        Name: project.name,
        Description: template.description ?? null,
        PlayerColor: project.playerColor,
        PagePlayerLink: pagePlayerLink(project, base),
        OutputCoverFrame: template.output.coverFrame,
        VariableKeys: template.variables.map((v) => v.Name),
        HeaderList: ['TXT_USEREMAIL'],
        ProjectState: 'Live' as const,
        CreatedOnUtc: project.createdAt,
        UpdatedOnUtc: project.updatedAt,
        Videos: [videoOf(project, template)],
      };
    },
  );

  app.get(
    '/v1/project/:projectId/variables',
    {
      schema: {
        summary: "List a project's variables",
        tags,
        security,
        params: z.object({ projectId: z.string() }),
        querystring: keyQuery,
        response: { 200: variableListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const project = await authenticate(request, projects);
      requireOwn('Project', request.params.projectId, project.id);
      return variableList(await projects.template(project));
    },
  );

  app.get(
    '/v1/video/:videoId',
    {
      schema: {
        summary: 'Get a video template',
        tags,
        security,
        params: z.object({ videoId: z.string() }),
        querystring: keyQuery,
        response: { 200: videoSchema, ...errorResponses },
      },
    },
    async (request) => {
      const project = await authenticate(request, projects);
      requireOwn('Video', request.params.videoId, project.videoId);
      return videoOf(project, await projects.template(project));
    },
  );

  app.get(
    '/v1/video/:videoId/variables',
    {
      schema: {
        summary: "List a video template's variables",
        tags,
        security,
        params: z.object({ videoId: z.string() }),
        querystring: keyQuery,
        response: { 200: variableListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const project = await authenticate(request, projects);
      requireOwn('Video', request.params.videoId, project.videoId);
      return variableList(await projects.template(project));
    },
  );
}

function videoOf(project: Project, template: Template): z.infer<typeof videoSchema> {
  const fps = template.output.fps;
  return {
    Id: project.videoId,
    Name: template.name,
    Description: template.description ?? null,
    Duration: template.frameCount / fps,
    Width: template.output.width,
    Height: template.output.height,
    FrameRate: fps,
    FrameCount: template.frameCount,
    OutputCoverFrame: template.output.coverFrame,
    CoverTime: template.output.coverFrame / fps,
    VariableKeys: template.variables.map((v) => v.Name),
  };
}

function variableList(template: Template): z.infer<typeof variableListSchema> {
  const list: z.infer<typeof variableListSchema> = { Texts: [], Images: [], Videos: [] };
  for (const variable of template.variables) {
    switch (variable.kind) {
      case 'text':
      case 'map':
        list.Texts.push({
          Name: variable.Name,
          DefaultValue: variable.DefaultValue ?? null,
          ExampleValue: variable.ExampleValue ?? null,
          MaxLength: variable.MaxLength ?? null,
          IsAddress: variable.kind === 'map',
        });
        break;
      case 'image':
        list.Images.push({
          Name: variable.Name,
          DefaultValue: variable.DefaultValue,
          Width: variable.Width,
          Height: variable.Height,
          PredefinedChoices: variable.PredefinedChoices ? { ...variable.PredefinedChoices } : null,
          AllowUpload: variable.AllowUpload,
        });
        break;
      case 'video':
        list.Videos.push({
          Name: variable.Name,
          DefaultValue: variable.DefaultValue,
          Width: variable.Width,
          Height: variable.Height,
        });
        break;
    }
  }
  return list;
}
