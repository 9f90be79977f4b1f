package io.countersign.api;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * The loser of two completions of one task, on engine-rest or the Tasklist webapp's engine API, fails in whatever
 * way the moment of the collision produces: the task's authorizations already deleted (403), its execution already
 * gone (a NullPointerException inside the engine, 500), or a lock or version conflict. Whatever it was, when the task
 * no longer exists afterwards, another completion ended it first: the answer is 409 problem+json, as for every other
 * lost race. Answers for tasks that still exist pass unchanged.
 */
@Component
class EngineRestRaceLosers extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(EngineRestRaceLosers.class);

	private static final Pattern COMPLETION = Pattern
		.compile("^/(?:engine-rest|camunda/api/engine)(?:/engine/[^/]+)?/task/([^/]+)/(?:complete|submit-form)$");

	private final ProcessEngine processEngine;

	private final ObjectMapper objectMapper;

	EngineRestRaceLosers(ProcessEngine processEngine, ObjectMapper objectMapper) {
		this.processEngine = processEngine;
		this.objectMapper = objectMapper;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !"POST".equals(request.getMethod()) || !COMPLETION.matcher(path(request)).matches();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Matcher completion = COMPLETION.matcher(path(request));
		String taskId = completion.matches() ? completion.group(1) : null;
		ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(response);
		chain.doFilter(request, buffered);
		int status = buffered.getStatus();
		if (taskId != null && (status == 403 || status >= 500) && !response.isCommitted() && taskGone(taskId)) {
			log.warn("Completion of task {} lost the race to another completion (answered {} first): 409", taskId,
					status);
			buffered.resetBuffer();
			String message = "Task " + taskId + " was completed by someone else at the same moment; that decision"
					+ " stands and this one was not recorded";
			Map<String, Object> problem = new LinkedHashMap<>();
			problem.put("type", "OptimisticLockingException");
			problem.put("title", "Conflict");
			problem.put("status", 409);
			problem.put("detail", message);
			problem.put("message", message);
			response.setStatus(HttpStatus.CONFLICT.value());
			response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			this.objectMapper.writeValue(response.getOutputStream(), problem);
			return;
		}
		buffered.copyBodyToResponse();
	}

	/** Read past authorization on purpose: only whether the row exists matters, and the caller learns nothing more. */
	private boolean taskGone(String taskId) {
		try {
			Command<Boolean> gone = context -> context.getTaskManager().findTaskById(taskId) == null;
			return ((ProcessEngineConfigurationImpl) this.processEngine.getProcessEngineConfiguration())
				.getCommandExecutorTxRequired()
				.execute(gone);
		}
		catch (RuntimeException ex) {
			// Database away: the original answer stands.
			return false;
		}
	}

	private static String path(HttpServletRequest request) {
		return request.getRequestURI().substring(request.getContextPath().length());
	}

}
