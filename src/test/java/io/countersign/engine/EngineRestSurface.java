package io.countersign.engine;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.camunda.bpm.engine.rest.impl.DefaultProcessEngineRestServiceImpl;
import org.camunda.bpm.engine.rest.impl.NamedProcessEngineRestServiceImpl;

/**
 * Every endpoint engine-rest 7.24 serves for one engine, read from its JAX-RS annotations: resource methods and, through
 * sub-resource locators, the resources they lead to. Paths are relative to the engine root, with template variables as
 * {@code {}}.
 */
final class EngineRestSurface {

	record Endpoint(String method, String path) implements Comparable<Endpoint> {

		@Override
		public int compareTo(Endpoint other) {
			int byPath = this.path.compareTo(other.path);
			return byPath != 0 ? byPath : this.method.compareTo(other.method);
		}

		@Override
		public String toString() {
			return this.method + " " + this.path;
		}

	}

	private EngineRestSurface() {
	}

	static Set<Endpoint> endpoints() {
		Set<Endpoint> endpoints = new TreeSet<>();
		walk(DefaultProcessEngineRestServiceImpl.class, "", endpoints, new HashSet<>());
		// The list of engines, served at the engine-rest root and the webapps' engine API alike.
		for (Method method : NamedProcessEngineRestServiceImpl.class.getMethods()) {
			String http = httpMethod(method);
			if (http != null && annotation(method, Path.class) == null) {
				endpoints.add(new Endpoint(http, "/engine"));
			}
		}
		return endpoints;
	}

	private static void walk(Class<?> type, String prefix, Set<Endpoint> endpoints, Set<String> seen) {
		if (!seen.add(type.getName() + " " + prefix)) {
			return;
		}
		for (Method method : type.getMethods()) {
			if (Modifier.isStatic(method.getModifiers()) || method.getDeclaringClass() == Object.class) {
				continue;
			}
			Path path = annotation(method, Path.class);
			String http = httpMethod(method);
			String full = normalise(prefix + (path == null ? "" : "/" + path.value()));
			if (http != null) {
				endpoints.add(new Endpoint(http, full.isEmpty() ? "/" : full));
			}
			else if (path != null) {
				walk(method.getReturnType(), full, endpoints, seen);
			}
		}
	}

	/** {@code //a/{id: .*}/b/} becomes {@code /a/{}/b}. */
	static String normalise(String path) {
		List<String> segments = new ArrayList<>();
		for (String segment : path.split("/")) {
			if (!segment.isEmpty()) {
				segments.add(segment.startsWith("{") ? "{}" : segment);
			}
		}
		return "/" + String.join("/", segments);
	}

	private static String httpMethod(Method method) {
		for (Method candidate : declarations(method)) {
			for (Annotation annotation : candidate.getAnnotations()) {
				HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
				if (http != null) {
					return http.value();
				}
			}
		}
		return null;
	}

	private static <A extends Annotation> A annotation(Method method, Class<A> type) {
		for (Method candidate : declarations(method)) {
			A annotation = candidate.getAnnotation(type);
			if (annotation != null) {
				return annotation;
			}
		}
		return null;
	}

	/** JAX-RS reads annotations from the method or, when it has none, from the method it implements. */
	private static List<Method> declarations(Method method) {
		List<Method> declarations = new ArrayList<>();
		declarations.add(method);
		collect(method.getDeclaringClass(), method, declarations);
		return declarations;
	}

	private static void collect(Class<?> type, Method method, List<Method> declarations) {
		List<Class<?>> supertypes = new ArrayList<>(List.of(type.getInterfaces()));
		if (type.getSuperclass() != null) {
			supertypes.add(type.getSuperclass());
		}
		for (Class<?> supertype : supertypes) {
			try {
				declarations.add(supertype.getMethod(method.getName(), method.getParameterTypes()));
			}
			catch (NoSuchMethodException ex) {
				// not declared there
			}
			collect(supertype, method, declarations);
		}
	}

}
